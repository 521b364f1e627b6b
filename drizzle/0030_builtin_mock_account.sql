-- The built-in mock vendor's account key no longer derives from the app's URL (it was
-- bamboo:<APP_URL host>:<client id>, so a worker on another port spoke for another account):
-- it is bamboo:builtin-mock-vendor.invalid:<client id> in every process. Sandbox batches still
-- at work move to the new key (oldest first), so the shared poller of the new lane asks about
-- them. A second open batch of the same product and face value (two app URLs used on one
-- database at once) cannot take the same key and keeps its old one, for an admin.
DO $$
DECLARE b record;
BEGIN
  FOR b IN
    SELECT id, account FROM vendor_batches
    WHERE environment = 'sandbox' AND status IN ('open', 'placing', 'placed')
      AND account NOT LIKE 'bamboo:builtin-mock-vendor.invalid:%'
    ORDER BY id
  LOOP
    BEGIN
      UPDATE vendor_batches SET account = 'bamboo:builtin-mock-vendor.invalid:' || regexp_replace(b.account, '^.*:', '') WHERE id = b.id;
    EXCEPTION WHEN unique_violation THEN
      NULL;
    END;
  END LOOP;
END $$;
