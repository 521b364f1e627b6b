import { sql } from "drizzle-orm";
import type { Environment } from "@/server/catalog/visibility";
import type { DbOrTx } from "@/server/db/client";
import { type OrderSearch, searchPartnerOrders } from "@/server/orders/search";
import { requireOwnSubAgent } from "./hierarchy";

/*
 * What an agent sees of its sub-agents (issue 18): only its own (parent_id = the agent), in the
 * environment its dashboard shows. Numbers in SQL, money as 4-decimal strings.
 */

export interface SubAgentRow {
  id: string;
  businessName: string;
  contactEmail: string;
  status: "active" | "suspended";
  createdAt: Date;
  /** Wallet balances per currency, each with the low-balance threshold set for it (if any) and whether it is below. */
  balances: Array<{ currency: string; balance: string; lowBalanceThreshold: string | null; low: boolean }>;
  limits: Array<{ currency: string; dailyCap: string | null; perOrderCap: string | null; lowBalanceThreshold: string | null }>;
  /** Today's (UTC) non-failed sales, per currency: what they cost the sub-agent's wallet, less refunds. */
  today: Array<{ currency: string; amount: string; orders: number }>;
  /** The last 30 days, same measure. */
  volume30d: Array<{ currency: string; amount: string; orders: number }>;
  lastOrderAt: Date | null;
}

/** The agent's sub-agents with balances, limits and activity, by name. */
export async function listSubAgents(db: DbOrTx, opts: { agentId: string; environment: Environment; now?: Date }): Promise<SubAgentRow[]> {
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - 30 * 24 * 3600 * 1000);
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const rows = await db.execute<{
    id: string;
    business_name: string;
    contact_email: string;
    status: "active" | "suspended";
    created_at: string | Date;
    balances: SubAgentRow["balances"];
    limits: SubAgentRow["limits"];
    today: SubAgentRow["today"];
    volume: SubAgentRow["volume30d"];
    last_order_at: string | null;
  }>(sql`
    select p.id, p.business_name, p.contact_email, p.status::text as status, p.created_at,
      coalesce((select json_agg(json_build_object('currency', w.currency, 'balance', w.balance::numeric(19,4)::text,
          'lowBalanceThreshold', l.low_balance_threshold::numeric(19,4)::text,
          'low', coalesce(w.balance < l.low_balance_threshold, false)) order by w.currency)
        from ledger_accounts w left join agency_limits l on l.partner_id = p.id and l.currency = w.currency
        where w.partner_id = p.id and w.kind = 'partner_wallet' and w.environment = ${opts.environment}), '[]'::json) as balances,
      coalesce((select json_agg(json_build_object('currency', l.currency, 'dailyCap', l.daily_cap::numeric(19,4)::text,
          'perOrderCap', l.per_order_cap::numeric(19,4)::text, 'lowBalanceThreshold', l.low_balance_threshold::numeric(19,4)::text) order by l.currency)
        from agency_limits l where l.partner_id = p.id), '[]'::json) as limits,
      coalesce((select json_agg(json_build_object('currency', v.currency, 'amount', v.amount::numeric(19,4)::text, 'orders', v.n) order by v.currency)
        from (select o.currency, sum(o.total_price - o.refunded_amount) as amount, count(*)::int as n from orders o
              where o.partner_id = p.id and o.environment = ${opts.environment} and o.created_at >= ${dayStart.toISOString()}::timestamptz and o.status <> 'failed'
              group by o.currency) v), '[]'::json) as today,
      coalesce((select json_agg(json_build_object('currency', v.currency, 'amount', v.amount::numeric(19,4)::text, 'orders', v.n) order by v.currency)
        from (select o.currency, sum(o.total_price - o.refunded_amount) as amount, count(*)::int as n from orders o
              where o.partner_id = p.id and o.environment = ${opts.environment} and o.created_at >= ${since.toISOString()}::timestamptz and o.status <> 'failed'
              group by o.currency) v), '[]'::json) as volume,
      (select max(o.created_at) from orders o where o.partner_id = p.id and o.environment = ${opts.environment}) as last_order_at
    from partners p
    where p.parent_id = ${opts.agentId} and p.kind = 'sub_agent'
    order by p.business_name, p.id`);
  return rows.map((r) => ({
    id: r.id,
    businessName: r.business_name,
    contactEmail: r.contact_email,
    status: r.status,
    createdAt: new Date(r.created_at),
    balances: r.balances,
    limits: r.limits,
    today: r.today,
    volume30d: r.volume,
    lastOrderAt: r.last_order_at ? new Date(r.last_order_at) : null,
  }));
}

/** One of the agent's sub-agents' orders (no card codes: the list never carries them), by cursor. */
export async function subAgentOrders(db: DbOrTx, q: { agentId: string; subAgentId: string; environment: Environment; search: OrderSearch }) {
  await requireOwnSubAgent(db, q.agentId, q.subAgentId);
  return searchPartnerOrders(db, q.subAgentId, q.environment, q.search);
}

/** The agent's commission accounts in the environment (balance per currency, and what was earned and reversed). */
export async function commissionSummary(db: DbOrTx, opts: { agentId: string; environment: Environment }) {
  return db.execute<{ currency: string; balance: string; earned: string; reversed: string; paidOut: string }>(sql`
    select a.currency, a.balance::numeric(19,4)::text as balance,
      coalesce((select sum(t.amount) from ledger_transfers t where t.credit_account_id = a.id and t.kind = 'agent_commission'), 0)::numeric(19,4)::text as earned,
      coalesce((select sum(t.amount) from ledger_transfers t where t.debit_account_id = a.id and t.kind = 'agent_commission_reversal'), 0)::numeric(19,4)::text as reversed,
      coalesce((select sum(t.amount) from ledger_transfers t where t.debit_account_id = a.id and t.kind = 'commission_payout'), 0)::numeric(19,4)::text as "paidOut"
    from ledger_accounts a
    where a.partner_id = ${opts.agentId} and a.kind = 'agent_commission' and a.environment = ${opts.environment}
    order by a.currency`);
}
