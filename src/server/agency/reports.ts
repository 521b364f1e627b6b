import { sql } from "drizzle-orm";
import { type Amount, type Currency, subAmounts, sumAmounts } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import type { LedgerEnvironment } from "@/server/ledger/accounts";
import { csvCell } from "@/server/ledger/statements";

/*
 * Financial reports of the agency network (issue 18). Every figure is a sum over the ledger in SQL
 * (numeric(19,4) as text: money never passes through a float), for a date range [from, to) and
 * one environment, per currency:
 *
 * - a sub-agent's wallet: opening and closing balance, fundings received from its agent, recalls
 *   back to it, sales (its order payments), refunds, anything else (top-ups, admin credits), so
 *   closing = opening + fundings − recalls − sales + refunds + other;
 * - the economics of its orders: margin (the platform's `order_revenue` on them, losses
 *   subtracted), cost (net sales − margin: what stays owed to the vendor) and the agent's
 *   commission on them (`agent_commission` − `agent_commission_reversal`);
 * - an agent: the same per sub-agent and in total, plus its own wallet and commission account;
 * - admins: network totals per agent and overall.
 *
 * Figures are by ledger time: a transfer counts in the range it was written in (an order placed in
 * one month and completed in the next has its sale in the first and its margin in the second).
 */

export interface ReportRange {
  environment: LedgerEnvironment;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** One sub-agent's figures in one currency. */
export interface SubAgentFigures {
  partnerId: string;
  name: string;
  currency: Currency;
  opening: Amount;
  fundings: Amount;
  recalls: Amount;
  sales: Amount;
  refunds: Amount;
  other: Amount;
  closing: Amount;
  orders: number;
  cost: Amount;
  margin: Amount;
  commission: Amount;
}

/** The agent's own accounts in one currency. */
export interface AgentAccounts {
  currency: Currency;
  walletOpening: Amount;
  walletClosing: Amount;
  commissionOpening: Amount;
  /** Commission credited in the range (net of reversals). */
  commissionEarned: Amount;
  /** Moved from the commission account to the wallet. */
  commissionPaidOut: Amount;
  commissionClosing: Amount;
}

export type FigureTotals = Omit<SubAgentFigures, "partnerId" | "name">;

export interface AgentReport extends ReportRange {
  agentId: string;
  agentName: string;
  subAgents: SubAgentFigures[];
  /** Per currency, the sum of the sub-agents' rows. */
  totals: FigureTotals[];
  agent: AgentAccounts[];
}

export interface SubAgentReport extends ReportRange {
  partnerId: string;
  name: string;
  figures: SubAgentFigures[];
}

export interface NetworkRow {
  agentId: string;
  agentName: string;
  subAgentCount: number;
  currency: Currency;
  fundings: Amount;
  recalls: Amount;
  sales: Amount;
  refunds: Amount;
  orders: number;
  cost: Amount;
  margin: Amount;
  commission: Amount;
  subAgentBalance: Amount;
}

export interface NetworkReport extends ReportRange {
  agents: NetworkRow[];
  totals: Omit<NetworkRow, "agentId" | "agentName">[];
}

const iso = (d: Date) => d.toISOString();

type FigureRow = {
  partner_id: string;
  name: string;
  currency: string;
  opening: string;
  closing: string;
  fundings: string;
  recalls: string;
  sales: string;
  refunds: string;
  other: string;
  orders: number;
  margin: string;
  commission: string;
};

/**
 * The figures of some partners' wallets and orders (one row per partner and currency that has a
 * wallet, or order economics, in this environment), in one read-only statement.
 */
async function figuresOf(db: DbOrTx, partnerIds: string[], r: ReportRange): Promise<SubAgentFigures[]> {
  if (partnerIds.length === 0) return [];
  const ids = sql`(${sql.join(
    partnerIds.map((id) => sql`${id}`),
    sql`, `,
  )})`;
  const from = sql`${iso(r.from)}::timestamptz`;
  const to = sql`${iso(r.to)}::timestamptz`;
  const rows = await db.execute<FigureRow>(sql`
    with w as (
      select a.id, a.partner_id, a.currency from ledger_accounts a
      where a.kind = 'partner_wallet' and a.environment = ${r.environment} and a.partner_id in ${ids}
    ),
    wf as (
      select w.partner_id, w.currency,
        coalesce(sum(e.amount) filter (where e.created_at < ${from}), 0) as opening,
        coalesce(sum(e.amount), 0) as closing,
        coalesce(sum(e.amount) filter (where e.created_at >= ${from} and t.kind = 'agent_funding'), 0) as fundings,
        coalesce(-sum(e.amount) filter (where e.created_at >= ${from} and t.kind = 'agent_recall'), 0) as recalls,
        coalesce(-sum(e.amount) filter (where e.created_at >= ${from} and t.kind = 'order_debit'), 0) as sales,
        coalesce(sum(e.amount) filter (where e.created_at >= ${from} and t.kind = 'order_refund'), 0) as refunds,
        coalesce(sum(e.amount) filter (where e.created_at >= ${from}
          and t.kind::text not in ('agent_funding', 'agent_recall', 'order_debit', 'order_refund')), 0) as other,
        count(*) filter (where e.created_at >= ${from} and t.kind = 'order_debit')::int as orders
      from w
      left join ledger_entries e on e.account_id = w.id and e.created_at < ${to}
      left join ledger_transfers t on t.id = e.transfer_id
      group by w.partner_id, w.currency
    ),
    econ as (
      select o.partner_id, t.currency,
        coalesce(sum(case when ca.kind = 'platform_revenue' then t.amount else -t.amount end)
          filter (where t.kind::text like 'order_revenue%'), 0) as margin,
        coalesce(sum(t.amount) filter (where t.kind = 'agent_commission'), 0)
          - coalesce(sum(t.amount) filter (where t.kind = 'agent_commission_reversal'), 0) as commission
      from orders o
      join ledger_transfers t on t.reference = o.id
        and (t.kind::text like 'order_revenue%' or t.kind::text in ('agent_commission', 'agent_commission_reversal'))
      join ledger_accounts ca on ca.id = t.credit_account_id
      where o.partner_id in ${ids} and o.environment = ${r.environment}
        and t.created_at >= ${from} and t.created_at < ${to}
      group by o.partner_id, t.currency
    )
    select coalesce(wf.partner_id, econ.partner_id) as partner_id, p.business_name as name,
      coalesce(wf.currency, econ.currency) as currency,
      coalesce(wf.opening, 0)::numeric(19,4)::text as opening,
      coalesce(wf.closing, 0)::numeric(19,4)::text as closing,
      coalesce(wf.fundings, 0)::numeric(19,4)::text as fundings,
      coalesce(wf.recalls, 0)::numeric(19,4)::text as recalls,
      coalesce(wf.sales, 0)::numeric(19,4)::text as sales,
      coalesce(wf.refunds, 0)::numeric(19,4)::text as refunds,
      coalesce(wf.other, 0)::numeric(19,4)::text as other,
      coalesce(wf.orders, 0)::int as orders,
      coalesce(econ.margin, 0)::numeric(19,4)::text as margin,
      coalesce(econ.commission, 0)::numeric(19,4)::text as commission
    from wf
    full join econ on econ.partner_id = wf.partner_id and econ.currency = wf.currency
    join partners p on p.id = coalesce(wf.partner_id, econ.partner_id)
    order by p.business_name, 1, 3`);
  return rows.map((x) => ({
    partnerId: x.partner_id,
    name: x.name,
    currency: x.currency,
    opening: x.opening,
    fundings: x.fundings,
    recalls: x.recalls,
    sales: x.sales,
    refunds: x.refunds,
    other: x.other,
    closing: x.closing,
    orders: Number(x.orders),
    cost: subAmounts(subAmounts(x.sales, x.refunds), x.margin),
    margin: x.margin,
    commission: x.commission,
  }));
}

const FIGURE_SUMS = ["opening", "fundings", "recalls", "sales", "refunds", "other", "closing", "cost", "margin", "commission"] as const;

/** Per currency, the sum of the rows (decimal arithmetic on the SQL sums). */
function totalsOf(rows: SubAgentFigures[]): FigureTotals[] {
  const byCurrency = new Map<string, SubAgentFigures[]>();
  for (const row of rows) byCurrency.set(row.currency, [...(byCurrency.get(row.currency) ?? []), row]);
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, group]) => {
      const total = { currency, orders: group.reduce((n, g) => n + g.orders, 0) } as FigureTotals;
      for (const k of FIGURE_SUMS) total[k] = sumAmounts(group.map((g) => g[k]));
      return total;
    });
}

/** The sub-agents of an agent, now (a moved sub-agent is reported under its current agent). */
async function subAgentsOf(db: DbOrTx, agentIds: string[]): Promise<Array<{ id: string; parentId: string }>> {
  if (agentIds.length === 0) return [];
  return db.execute<{ id: string; parentId: string }>(sql`
    select id, parent_id as "parentId" from partners
    where kind = 'sub_agent' and parent_id in (${sql.join(
      agentIds.map((id) => sql`${id}`),
      sql`, `,
    )}) order by business_name, id`);
}

type AgentAccountRow = {
  currency: string;
  wallet_opening: string;
  wallet_closing: string;
  commission_opening: string;
  commission_earned: string;
  commission_paid_out: string;
  commission_closing: string;
};

/** The agent's wallet and commission account, per currency. */
async function agentAccounts(db: DbOrTx, agentId: string, r: ReportRange): Promise<AgentAccounts[]> {
  const from = sql`${iso(r.from)}::timestamptz`;
  const to = sql`${iso(r.to)}::timestamptz`;
  const rows = await db.execute<AgentAccountRow>(sql`
    select a.currency,
      coalesce(sum(e.amount) filter (where a.kind = 'partner_wallet' and e.created_at < ${from}), 0)::numeric(19,4)::text as wallet_opening,
      coalesce(sum(e.amount) filter (where a.kind = 'partner_wallet'), 0)::numeric(19,4)::text as wallet_closing,
      coalesce(sum(e.amount) filter (where a.kind::text = 'agent_commission' and e.created_at < ${from}), 0)::numeric(19,4)::text as commission_opening,
      coalesce(sum(e.amount) filter (where a.kind::text = 'agent_commission' and e.created_at >= ${from}
        and t.kind::text in ('agent_commission', 'agent_commission_reversal')), 0)::numeric(19,4)::text as commission_earned,
      coalesce(-sum(e.amount) filter (where a.kind::text = 'agent_commission' and e.created_at >= ${from}
        and t.kind::text = 'commission_payout'), 0)::numeric(19,4)::text as commission_paid_out,
      coalesce(sum(e.amount) filter (where a.kind::text = 'agent_commission'), 0)::numeric(19,4)::text as commission_closing
    from ledger_accounts a
    left join ledger_entries e on e.account_id = a.id and e.created_at < ${to}
    left join ledger_transfers t on t.id = e.transfer_id
    where a.partner_id = ${agentId} and a.environment = ${r.environment} and a.kind::text in ('partner_wallet', 'agent_commission')
    group by a.currency
    order by a.currency`);
  return rows.map((x) => ({
    currency: x.currency,
    walletOpening: x.wallet_opening,
    walletClosing: x.wallet_closing,
    commissionOpening: x.commission_opening,
    commissionEarned: x.commission_earned,
    commissionPaidOut: x.commission_paid_out,
    commissionClosing: x.commission_closing,
  }));
}

async function partnerName(db: DbOrTx, partnerId: string): Promise<string> {
  const [row] = await db.execute<{ name: string }>(sql`select business_name as name from partners where id = ${partnerId}`);
  return row?.name ?? partnerId;
}

/** Everything is read in one snapshot, so the parts of a report agree with each other. */
function inSnapshot<T>(db: DbOrTx, read: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.transaction((tx) => read(tx), { isolationLevel: "repeatable read", accessMode: "read only" });
}

/** An agent's report: each of its sub-agents, their totals, and its own accounts. */
export function agentReport(db: DbOrTx, agentId: string, r: ReportRange): Promise<AgentReport> {
  return inSnapshot(db, async (tx) => {
    const subs = await subAgentsOf(tx, [agentId]);
    const subAgents = await figuresOf(
      tx,
      subs.map((s) => s.id),
      r,
    );
    return { ...r, agentId, agentName: await partnerName(tx, agentId), subAgents, totals: totalsOf(subAgents), agent: await agentAccounts(tx, agentId, r) };
  });
}

/** A sub-agent's own report: its sales and balance movements. */
export function subAgentReport(db: DbOrTx, partnerId: string, r: ReportRange): Promise<SubAgentReport> {
  return inSnapshot(db, async (tx) => ({ ...r, partnerId, name: await partnerName(tx, partnerId), figures: await figuresOf(tx, [partnerId], r) }));
}

/** Admins: per agent (its sub-agents' figures summed) and for the whole network. */
export function networkReport(db: DbOrTx, r: ReportRange): Promise<NetworkReport> {
  return inSnapshot(db, async (tx) => {
    const agents = await tx.execute<{ id: string; name: string }>(
      sql`select id, business_name as name from partners where kind = 'agent' order by business_name, id`,
    );
    const subs = await subAgentsOf(
      tx,
      agents.map((a) => a.id),
    );
    const figures = await figuresOf(
      tx,
      subs.map((s) => s.id),
      r,
    );
    const parentOf = new Map(subs.map((s) => [s.id, s.parentId]));
    const rows: NetworkRow[] = [];
    for (const agent of agents) {
      const mine = figures.filter((f) => parentOf.get(f.partnerId) === agent.id);
      const count = subs.filter((s) => s.parentId === agent.id).length;
      for (const t of totalsOf(mine)) rows.push({ agentId: agent.id, agentName: agent.name, subAgentCount: count, ...networkFigures(t) });
    }
    const totals = totalsOf(figures).map((t) => ({
      subAgentCount: subs.length,
      ...networkFigures(t),
    }));
    return { ...r, agents: rows, totals };
  });
}

function networkFigures(t: FigureTotals) {
  return {
    currency: t.currency,
    fundings: t.fundings,
    recalls: t.recalls,
    sales: t.sales,
    refunds: t.refunds,
    orders: t.orders,
    cost: t.cost,
    margin: t.margin,
    commission: t.commission,
    subAgentBalance: t.closing,
  };
}

// CSV ----------------------------------------------------------------------------------------

const line = (cells: Array<string | number>) => `${cells.map((c) => (typeof c === "number" ? String(c) : csvCell(c))).join(",")}\r\n`;
const rangeLines = (r: ReportRange) => line(["environment", r.environment]) + line(["from", iso(r.from)]) + line(["to (exclusive)", iso(r.to)]);

const FIGURE_HEADER = [
  "currency",
  "opening_balance",
  "fundings",
  "recalls",
  "sales",
  "refunds",
  "other",
  "closing_balance",
  "orders",
  "cost",
  "margin",
  "commission",
];
const figureCells = (f: FigureTotals) => [
  f.currency,
  f.opening,
  f.fundings,
  f.recalls,
  f.sales,
  f.refunds,
  f.other,
  f.closing,
  f.orders,
  f.cost,
  f.margin,
  f.commission,
];

/** The agent's report as CSV: a row per sub-agent and currency, the totals, then the agent's own accounts. */
export function agentReportCsv(rep: AgentReport): string {
  let out = line(["report", "agent"]) + line(["agent", rep.agentName]) + line(["agent_id", rep.agentId]) + rangeLines(rep) + "\r\n";
  out += line(["sub_agent_id", "sub_agent", ...FIGURE_HEADER]);
  for (const f of rep.subAgents) out += line([f.partnerId, f.name, ...figureCells(f)]);
  for (const t of rep.totals) out += line(["total", "all sub-agents", ...figureCells(t)]);
  out += `\r\n${line(["currency", "wallet_opening", "wallet_closing", "commission_opening", "commission_earned", "commission_paid_out", "commission_closing"])}`;
  for (const a of rep.agent) {
    out += line([a.currency, a.walletOpening, a.walletClosing, a.commissionOpening, a.commissionEarned, a.commissionPaidOut, a.commissionClosing]);
  }
  return out;
}

/** The sub-agent's own report as CSV. */
export function subAgentReportCsv(rep: SubAgentReport): string {
  let out = line(["report", "sub_agent"]) + line(["sub_agent", rep.name]) + line(["sub_agent_id", rep.partnerId]) + rangeLines(rep) + "\r\n";
  out += line(FIGURE_HEADER);
  for (const f of rep.figures) out += line(figureCells(f));
  return out;
}

/** The network report as CSV. */
export function networkReportCsv(rep: NetworkReport): string {
  const header = ["currency", "sub_agents", "fundings", "recalls", "sales", "refunds", "orders", "cost", "margin", "commission", "sub_agent_balance"];
  const cells = (n: Omit<NetworkRow, "agentId" | "agentName">) => [
    n.currency,
    n.subAgentCount,
    n.fundings,
    n.recalls,
    n.sales,
    n.refunds,
    n.orders,
    n.cost,
    n.margin,
    n.commission,
    n.subAgentBalance,
  ];
  let out = `${line(["report", "network"]) + rangeLines(rep)}\r\n${line(["agent_id", "agent", ...header])}`;
  for (const a of rep.agents) out += line([a.agentId, a.agentName, ...cells(a)]);
  for (const t of rep.totals) out += line(["total", "network", ...cells(t)]);
  return out;
}
