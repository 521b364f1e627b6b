import DecimalBase from "decimal.js";
import { sql } from "drizzle-orm";
import type { Amount, Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerAccounts } from "@/server/db/schema";
import type { LedgerAccount, LedgerEnvironment } from "./accounts";
import { findTransferByReference, transfer } from "./transfer";
import { and, eq } from "drizzle-orm";
import { newId } from "@/lib/ids";

const Decimal = DecimalBase.clone({ precision: 40, rounding: DecimalBase.ROUND_HALF_EVEN });

/*
 * Agents' revenue share (issue 18). When the margin of a sub-agent's order is recognised
 * (recognizeOrderRevenue, in the transaction that completes the order), the agent above it
 * receives its share: `agent_commission`, from the platform revenue account that received the
 * margin to the agent's commission account (reference = order id: at most once per order). When
 * the order is refunded and its margin reversed (reverseOrderRevenue), the commission goes back
 * the same way, same amount (`agent_commission_reversal`, reference = order id: at most once).
 *
 * Rounding: commission = margin × share (basis points) / 10 000, rounded to 4 decimals half-even
 * (banker's rounding: a tie goes to the even last digit, so 0.00025 → 0.0002, 0.00075 → 0.0008);
 * the platform keeps the remainder. Only a positive margin earns commission (a loss pays none).
 * The agent is the sub-agent's parent when the margin is recognised, at its share then (both
 * written into the transfer's metadata). A commission account may go below zero: a commission
 * reversed after the agent moved it into its wallet is owed back out of later commission.
 */

/** The agent's commission on a margin: margin × bps / 10 000, 4 decimals, half-even; 0 for a margin ≤ 0. */
export function commissionOf(margin: Amount, shareBps: number): Amount {
  if (!Number.isInteger(shareBps) || shareBps < 0 || shareBps > 10_000) throw new RangeError(`revenue share out of range: ${shareBps}`);
  const m = new Decimal(margin);
  if (m.lte(0)) return "0.0000";
  return m.times(shareBps).div(10_000).toDecimalPlaces(4, DecimalBase.ROUND_HALF_EVEN).toFixed(4);
}

/** The agent's commission account for that environment and currency, created empty on first use. */
export async function getOrCreateCommissionAccount(db: DbOrTx, agentId: string, environment: LedgerEnvironment, currency: Currency): Promise<LedgerAccount> {
  const find = async () => {
    const [row] = await db
      .select()
      .from(ledgerAccounts)
      .where(
        and(
          eq(ledgerAccounts.kind, "agent_commission"),
          eq(ledgerAccounts.partnerId, agentId),
          eq(ledgerAccounts.environment, environment),
          eq(ledgerAccounts.currency, currency),
        ),
      )
      .limit(1);
    return row ?? null;
  };
  const existing = await find();
  if (existing) return existing;
  await db
    .insert(ledgerAccounts)
    .values({ id: newId("acc"), kind: "agent_commission", partnerId: agentId, environment, currency })
    .onConflictDoNothing({
      target: [ledgerAccounts.partnerId, ledgerAccounts.environment, ledgerAccounts.currency],
      where: sql`kind <> 'partner_wallet' and partner_id is not null`,
    });
  return (await find())!;
}

export interface RecognisedMargin {
  orderId: string;
  /** The positive margin recognised, 4 decimals. */
  margin: Amount;
  /** The platform revenue account (shard) the margin went to. */
  revenueAccountId: string;
}

/**
 * Credits the agents' commissions on margins just recognised (call it in the same transaction,
 * after the `order_revenue` transfers): one `agent_commission` per order of a sub-agent whose
 * parent is an agent with a non-zero share. Orders of direct partners and agents cost one query
 * and move nothing. Transfers go in commission-account order so concurrent completions queue on
 * those rows instead of deadlocking.
 */
export async function creditAgentCommissions(tx: DbOrTx, margins: RecognisedMargin[], actor: string): Promise<void> {
  const positive = margins.filter((m) => new Decimal(m.margin).gt(0));
  if (positive.length === 0) return;
  const ids = positive.map((m) => m.orderId);
  const rows = await tx.execute<{
    order_id: string;
    sub_agent_id: string;
    agent_id: string;
    share_bps: number;
    currency: string;
    environment: LedgerEnvironment;
  }>(sql`
    select o.id as order_id, p.id as sub_agent_id, p.parent_id as agent_id, a.revenue_share_bps as share_bps, o.currency, o.environment::text as environment
    from orders o
    join partners p on p.id = o.partner_id and p.kind = 'sub_agent'
    join agency_agents a on a.partner_id = p.parent_id
    where o.id in (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`);
  if (rows.length === 0) return;
  const marginOf = new Map(positive.map((m) => [m.orderId, m]));
  const moves: Array<{
    orderId: string;
    amount: Amount;
    currency: Currency;
    revenueAccountId: string;
    commissionAccountId: string;
    metadata: Record<string, unknown>;
  }> = [];
  for (const r of rows) {
    const m = marginOf.get(r.order_id)!;
    const amount = commissionOf(m.margin, Number(r.share_bps));
    if (new Decimal(amount).isZero()) continue;
    const account = await getOrCreateCommissionAccount(tx, r.agent_id, r.environment, r.currency as Currency);
    moves.push({
      orderId: r.order_id,
      amount,
      currency: r.currency as Currency,
      revenueAccountId: m.revenueAccountId,
      commissionAccountId: account.id,
      metadata: { orderId: r.order_id, agentId: r.agent_id, subAgentId: r.sub_agent_id, margin: m.margin, shareBps: Number(r.share_bps), commission: amount },
    });
  }
  moves.sort((a, b) =>
    a.commissionAccountId < b.commissionAccountId ? -1 : a.commissionAccountId > b.commissionAccountId ? 1 : a.orderId < b.orderId ? -1 : 1,
  );
  for (const m of moves) {
    await transfer(tx, {
      kind: "agent_commission",
      amount: m.amount,
      currency: m.currency,
      debitAccountId: m.revenueAccountId,
      creditAccountId: m.commissionAccountId,
      reference: m.orderId,
      actor,
      metadata: m.metadata,
    });
  }
}

/**
 * Takes an order's commission back when its margin is reversed (call it in the refund's
 * transaction): the `agent_commission` transfer's accounts the other way round, same amount,
 * once per order. Nothing when no commission was credited.
 */
export async function reverseAgentCommission(tx: DbOrTx, input: { orderId: string; actor: string; reason?: string }) {
  const credited = await findTransferByReference(tx, "agent_commission", input.orderId);
  if (!credited) return null;
  return transfer(tx, {
    kind: "agent_commission_reversal",
    amount: credited.amount,
    currency: credited.currency as Currency,
    debitAccountId: credited.creditAccountId,
    creditAccountId: credited.debitAccountId,
    reference: input.orderId,
    actor: input.actor,
    metadata: { ...credited.metadata, commissionTransferId: credited.id, ...(input.reason ? { reason: input.reason } : {}) },
  });
}

/** What `checkCommissions` found wrong, one line per transfer or order (first 1000). */
export interface CommissionMismatch {
  reference: string;
  problem:
    | "commission_without_revenue"
    | "commission_above_margin"
    | "reversal_without_commission"
    | "reversal_amount"
    | "refunded_not_reversed"
    | "reversed_not_refunded";
}

/**
 * The commission invariants, in the caller's (consistent) read: every commission has its
 * order's recognised margin and is at most that margin; every reversal has its commission, the
 * same amount; an order whose margin was reversed has its commission reversed, and only then.
 */
export async function checkCommissions(tx: DbOrTx): Promise<CommissionMismatch[]> {
  const rows = await tx.execute<{ reference: string; problem: CommissionMismatch["problem"] }>(sql`
    with c as (select reference, amount from ledger_transfers where kind = 'agent_commission'),
    cr as (select reference, amount from ledger_transfers where kind = 'agent_commission_reversal'),
    rv as (select reference, amount from ledger_transfers where kind = 'order_revenue'),
    rr as (select reference from ledger_transfers where kind::text = 'order_revenue_reversal')
    select * from (
      select c.reference, 'commission_without_revenue' as problem from c left join rv on rv.reference = c.reference where rv.reference is null
      union all select c.reference, 'commission_above_margin' from c join rv on rv.reference = c.reference where c.amount > rv.amount
      union all select cr.reference, 'reversal_without_commission' from cr left join c on c.reference = cr.reference where c.reference is null
      union all select cr.reference, 'reversal_amount' from cr join c on c.reference = cr.reference where c.amount <> cr.amount
      union all select c.reference, 'refunded_not_reversed' from c join rr on rr.reference = c.reference left join cr on cr.reference = c.reference where cr.reference is null
      union all select cr.reference, 'reversed_not_refunded' from cr left join rr on rr.reference = cr.reference where rr.reference is null
    ) x order by 1, 2 limit 1000`);
  return rows.map((r) => ({ reference: r.reference, problem: r.problem }));
}
