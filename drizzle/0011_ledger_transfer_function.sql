-- The ledger's one way to move money, as a function: one round trip per transfer instead of five
-- (savepoint, lock, insert, move, release), and no partial writes on a refusal, so callers need
-- no savepoint. Same rules as before: both accounts locked in id order (FOR NO KEY UPDATE), so
-- opposite transfers queue instead of deadlocking; (kind, reference) moves money at most once; a
-- partner wallet never goes below zero. Refusals are returned as an outcome, never raised; the
-- TypeScript caller (src/server/ledger/transfer.ts) turns them into typed errors.
CREATE FUNCTION ledger_transfer(
  p_id text,
  p_kind ledger_transfer_kind,
  p_amount numeric,
  p_currency text,
  p_debit text,
  p_credit text,
  p_reference text,
  p_actor text,
  p_metadata jsonb,
  p_debit_entry text,
  p_credit_entry text
) RETURNS TABLE (
  outcome text,
  problem_account text,
  problem_detail text,
  id text,
  kind ledger_transfer_kind,
  amount numeric,
  currency text,
  environment ledger_environment,
  debit_account_id text,
  credit_account_id text,
  reference text,
  actor text,
  metadata jsonb,
  created_at timestamptz
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  d ledger_accounts%ROWTYPE;
  c ledger_accounts%ROWTYPE;
  t ledger_transfers%ROWTYPE; -- stays all NULL on a refusal
  d_after numeric;
  c_after numeric;
  v_outcome text;
  v_account text;
  v_detail text;
BEGIN
  <<body>>
  BEGIN
    PERFORM 1 FROM ledger_accounts a WHERE a.id IN (p_debit, p_credit) ORDER BY a.id FOR NO KEY UPDATE;
    SELECT * INTO d FROM ledger_accounts a WHERE a.id = p_debit;
    IF NOT FOUND THEN
      v_outcome := 'account_not_found'; v_account := p_debit; EXIT body;
    END IF;
    SELECT * INTO c FROM ledger_accounts a WHERE a.id = p_credit;
    IF NOT FOUND THEN
      v_outcome := 'account_not_found'; v_account := p_credit; EXIT body;
    END IF;
    IF d.currency <> p_currency THEN
      v_outcome := 'currency_mismatch'; v_account := d.id; v_detail := d.currency; EXIT body;
    END IF;
    IF c.currency <> p_currency THEN
      v_outcome := 'currency_mismatch'; v_account := c.id; v_detail := c.currency; EXIT body;
    END IF;
    IF d.environment <> c.environment THEN
      v_outcome := 'environment_mismatch'; v_account := d.id; v_detail := c.id; EXIT body;
    END IF;

    -- A replay returns the first transfer (the caller compares the movement). A concurrent
    -- duplicate waits on the unique index below until the original commits, then finds it.
    IF p_reference IS NOT NULL THEN
      SELECT * INTO t FROM ledger_transfers x WHERE x.kind = p_kind AND x.reference = p_reference;
      IF FOUND THEN
        v_outcome := 'existing'; EXIT body;
      END IF;
    END IF;

    -- Both accounts are locked: the balance read here cannot change before the update below.
    IF d.kind = 'partner_wallet' AND d.balance < p_amount THEN
      v_outcome := 'insufficient_funds'; v_account := d.id; EXIT body;
    END IF;

    INSERT INTO ledger_transfers AS x (id, kind, amount, currency, environment, debit_account_id, credit_account_id, reference, actor, metadata)
    VALUES (p_id, p_kind, p_amount, p_currency, d.environment, p_debit, p_credit, p_reference, p_actor, p_metadata)
    ON CONFLICT (kind, reference) WHERE reference IS NOT NULL DO NOTHING
    RETURNING * INTO t;
    IF NOT FOUND THEN
      SELECT * INTO t FROM ledger_transfers x WHERE x.kind = p_kind AND x.reference = p_reference;
      v_outcome := 'existing'; EXIT body;
    END IF;

    UPDATE ledger_accounts a SET balance = a.balance - p_amount, updated_at = now() WHERE a.id = p_debit RETURNING a.balance INTO d_after;
    UPDATE ledger_accounts a SET balance = a.balance + p_amount, updated_at = now() WHERE a.id = p_credit RETURNING a.balance INTO c_after;
    INSERT INTO ledger_entries (id, transfer_id, account_id, currency, environment, amount, balance_after)
    VALUES (p_debit_entry, t.id, p_debit, p_currency, d.environment, -p_amount, d_after),
           (p_credit_entry, t.id, p_credit, p_currency, d.environment, p_amount, c_after);
    v_outcome := 'created';
  END body;

  RETURN QUERY SELECT v_outcome, v_account, v_detail, t.id, t.kind, t.amount, t.currency, t.environment,
    t.debit_account_id, t.credit_account_id, t.reference, t.actor, t.metadata, t.created_at;
END;
$$;
