-- Ledger guards that drizzle cannot express: transfers and entries are append-only.
CREATE FUNCTION ledger_reject_mutation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are immutable: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transfers_immutable BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_mutation();
--> statement-breakpoint
-- An entry must carry its transfer's currency and environment and be one of its two sides
-- with the matching sign (the account composite foreign key already ties it to the account).
CREATE FUNCTION ledger_check_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  t ledger_transfers%ROWTYPE;
BEGIN
  SELECT * INTO t FROM ledger_transfers WHERE id = NEW.transfer_id;
  IF NEW.currency <> t.currency OR NEW.environment <> t.environment THEN
    RAISE EXCEPTION 'ledger entry % does not match the currency/environment of transfer %', NEW.id, t.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NOT ((NEW.account_id = t.debit_account_id AND NEW.amount = -t.amount)
       OR (NEW.account_id = t.credit_account_id AND NEW.amount = t.amount)) THEN
    RAISE EXCEPTION 'ledger entry % is not a side of transfer %', NEW.id, t.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_match_transfer BEFORE INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_check_entry();
