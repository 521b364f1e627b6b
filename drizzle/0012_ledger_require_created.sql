-- For statements that make a transfer part of a larger write (an order and its debit in one
-- statement): raises when ledger_transfer refused, so the whole statement rolls back. The
-- refusal travels in DETAIL (outcome) and HINT (account, then detail), for the caller to type.
CREATE FUNCTION ledger_require_created(p_outcome text, p_account text, p_detail text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF p_outcome IS DISTINCT FROM 'created' THEN
    RAISE EXCEPTION 'ledger transfer refused: %', coalesce(p_outcome, 'no outcome')
      USING ERRCODE = 'P0001', DETAIL = coalesce(p_outcome, ''), HINT = concat_ws('|', p_account, p_detail);
  END IF;
  RETURN true;
END;
$$;
