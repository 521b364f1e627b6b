-- Agency network (issue 18): the check every order creation makes for its partner, inside the
-- order's one statement (src/server/orders/create.ts), before the wallet is debited. A direct
-- partner or an agent passes at the cost of one primary-key read. A sub-agent is refused when
-- any agent above it is suspended, or when the sale breaks its limits in the order's currency
-- (agency_limits): the per-order cap, or the daily cap (UTC day, per environment: what its
-- non-failed orders of the day cost its wallet, less refunds, plus this sale). The limits row is
-- locked FOR UPDATE before the day's orders are summed; the function is VOLATILE, so that sum is
-- read in a snapshot taken after the lock was granted, and sees every sale that held the lock
-- before (their orders commit with the lock's release): two concurrent sales cannot both pass
-- the cap. A refusal raises (SQLSTATE P0001, message agency_…: the statement writes nothing) with
-- the figures as JSON in DETAIL; create.ts turns it into an OrderError.
CREATE FUNCTION agency_sale_check(p_partner text, p_environment text, p_currency text, p_amount numeric)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_kind text;
  v_parent text;
  v_suspended text;
  v_daily numeric;
  v_per_order numeric;
  v_today numeric;
BEGIN
  SELECT p.kind::text, p.parent_id INTO v_kind, v_parent FROM partners p WHERE p.id = p_partner;
  IF v_kind IS DISTINCT FROM 'sub_agent' THEN
    RETURN true;
  END IF;

  WITH RECURSIVE up(id, parent_id, status, business_name, depth) AS (
    SELECT p.id, p.parent_id, p.status::text, p.business_name, 1 FROM partners p WHERE p.id = v_parent
    UNION ALL
    SELECT p.id, p.parent_id, p.status::text, p.business_name, up.depth + 1 FROM partners p JOIN up ON p.id = up.parent_id WHERE up.depth < 16
  )
  SELECT up.business_name INTO v_suspended FROM up WHERE up.status = 'suspended' ORDER BY up.depth LIMIT 1;
  IF v_suspended IS NOT NULL THEN
    RAISE EXCEPTION 'agency_agent_suspended' USING DETAIL = json_build_object('agent', v_suspended)::text;
  END IF;

  SELECT l.daily_cap, l.per_order_cap INTO v_daily, v_per_order
  FROM agency_limits l WHERE l.partner_id = p_partner AND l.currency = p_currency
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN true;
  END IF;
  IF v_per_order IS NOT NULL AND p_amount > v_per_order THEN
    RAISE EXCEPTION 'agency_per_order_cap' USING DETAIL = json_build_object('cap', v_per_order::numeric(19,4)::text, 'amount', p_amount::numeric(19,4)::text, 'currency', p_currency)::text;
  END IF;
  IF v_daily IS NOT NULL THEN
    SELECT coalesce(sum(o.total_price - o.refunded_amount), 0) INTO v_today
    FROM orders o
    WHERE o.partner_id = p_partner AND o.environment = p_environment::ledger_environment AND o.currency = p_currency
      AND o.created_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
      AND o.status <> 'failed';
    IF v_today + p_amount > v_daily THEN
      RAISE EXCEPTION 'agency_daily_cap' USING DETAIL = json_build_object('cap', v_daily::numeric(19,4)::text, 'soldToday', v_today::numeric(19,4)::text,
        'amount', p_amount::numeric(19,4)::text, 'currency', p_currency)::text;
    END IF;
  END IF;
  RETURN true;
END;
$$;
