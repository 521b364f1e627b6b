import DecimalBase from "decimal.js";
import { and, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { amountsEqual, type Amount, type Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerAccounts, ledgerTransfers } from "@/server/db/schema";
import { getSystemAccount, type LedgerEnvironment } from "./accounts";
import { lockOrderAccounts } from "./order-locks";
import { SETTLEMENT_SHARDS } from "./wallets";
import { creditAgentCommissions, type RecognisedMargin, reverseAgentCommission } from "./commission";
import { LedgerConflictError, OrderDebitNotFoundError } from "./errors";
import { findTransferByReference, refusalError, transfer, type TransferRefusal } from "./transfer";

const Decimal = DecimalBase.clone({ precision: 40 });

/*
 * Revenue. An order's payment goes from the partner's wallet to a vendor settlement shard
 * (`order_debit`). When the order completes, the part of it that is not owed to the vendor, its
 * margin (what the partner paid for the delivered cards − what the vendor charged for them),
 * moves from that settlement shard to the platform revenue account of the same currency,
 * environment and shard (`order_revenue`, reference = order id, so at most once per order). A
 * loss (the vendor charged more than the partner paid) moves the other way under the same kind,
 * and a zero margin moves nothing. Undelivered cards are refunded from settlement before any
 * margin exists on them, so a refund never has revenue to take back. Revenue accounts are sharded
 * like settlement, so completions do not all queue on one row lock.
 */

export interface OrderRevenueInput {
  orderId: string;
  /** What the partner paid for the delivered cards (total price − refunded). */
  price: Amount;
  /** What the vendor charged for them. */
  cost: Amount;
  cards: number;
  /** Where the cost came from: the vendor's get-order total, or the estimate made when the order was priced. */
  costSource: "vendor" | "estimate";
}

/** An order's margin, signed: price − cost, to 4 decimals (negative for a loss). */
function orderMargin(input: Pick<OrderRevenueInput, "price" | "cost">): Amount {
  return new Decimal(input.price).minus(input.cost).toFixed(4);
}

/** (currency, environment) pairs whose revenue shards this process has seen exist (accounts are never deleted). */
const shardsReady = new Set<string>();

/**
 * Makes sure every platform revenue shard of `currency` and `environment` exists, creating any
 * that does not in its own statement: call it before a transaction that recognises margins, not in
 * it. A shard created inside a settlement stays locked (its new row) until that settlement commits,
 * and another settlement that holds accounts this one will lock, waiting to create the same shard,
 * closes a cycle (40P01 `while inserting index tuple` in the resilience logs on a fresh database).
 * Idempotent; after the first call per process for a pair, free.
 */
export async function ensureRevenueShards(db: DbOrTx, currency: Currency, environment: LedgerEnvironment): Promise<void> {
  const key = `${currency}|${environment}`;
  if (shardsReady.has(key)) return;
  for (let shard = 0; shard < SETTLEMENT_SHARDS; shard++) await getSystemAccount(db, "platform_revenue", currency, environment, shard);
  shardsReady.add(key);
}

/**
 * Recognises the margins of orders that complete in the caller's transaction (call it in the
 * transaction that completes them, so the margin cannot be lost between two steps): one
 * `order_revenue` transfer per order with a non-zero margin, all in one statement, in account
 * order. A replay (same order, same margin) finds the first transfer and changes nothing; a
 * replay with another margin throws LedgerConflictError.
 */
export async function recognizeOrderRevenue(tx: DbOrTx, items: OrderRevenueInput[], actor = "system:orders"): Promise<void> {
  const moving = items.map((i) => ({ ...i, margin: new Decimal(orderMargin(i)) })).filter((i) => !i.margin.isZero());
  if (moving.length === 0) return;
  const debits = await tx
    .select({
      orderId: ledgerTransfers.reference,
      settlementId: ledgerTransfers.creditAccountId,
      currency: ledgerTransfers.currency,
      environment: ledgerTransfers.environment,
      shard: ledgerAccounts.shard,
    })
    .from(ledgerTransfers)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerTransfers.creditAccountId))
    .where(
      and(
        eq(ledgerTransfers.kind, "order_debit"),
        inArray(
          ledgerTransfers.reference,
          moving.map((i) => i.orderId),
        ),
      ),
    );
  const debitOf = new Map(debits.map((d) => [d.orderId!, d]));
  const revenueAccounts = new Map<string, string>();
  // The revenue shards this transaction credits, found or created in one order (currency,
  // environment, shard): two settlements creating the same new shards queue on the first instead
  // of each inserting one and waiting for the other's (a deadlock on a fresh database, seen in the
  // resilience suite with settlements running side by side).
  const shardKey = (p: (typeof debits)[number]) => `${p.currency}|${p.environment}|${p.shard}`;
  const shards = new Map<string, (typeof debits)[number]>();
  for (const item of moving) {
    const paid = debitOf.get(item.orderId);
    if (!paid) throw new OrderDebitNotFoundError(item.orderId);
    shards.set(shardKey(paid), paid);
  }
  // In key order (currency, environment, shard): one order for every settlement.
  for (const key of [...shards.keys()].sort()) {
    const p = shards.get(key)!;
    revenueAccounts.set(key, (await getSystemAccount(tx, "platform_revenue", p.currency, p.environment, p.shard)).id);
  }
  // Every account the transfers below move money in (settlement and revenue shards, agents'
  // commission accounts), locked in one statement in the ledger's lock order (account id). The
  // transfers lock their two accounts each, one transfer after another: sorted by debit account,
  // that sequence is not in id order across transfers (a revenue shard may sort after the next
  // settlement shard), so a settlement beside another that pre-locked in id order could close a
  // cycle (40P01 on `ledger_transfer`'s lock, seen in the resilience suite's logs).
  await lockOrderAccounts(tx, { completing: moving.map((i) => i.orderId) });
  const rows: Array<{ orderId: string; amount: Amount; currency: Currency; debit: string; credit: string; settlementId: string; metadata: string }> = [];
  for (const item of moving) {
    const paid = debitOf.get(item.orderId)!;
    const revenueId = revenueAccounts.get(shardKey(paid))!;
    const loss = item.margin.isNegative();
    rows.push({
      orderId: item.orderId,
      amount: item.margin.abs().toFixed(4),
      currency: paid.currency,
      debit: loss ? revenueId : paid.settlementId,
      credit: loss ? paid.settlementId : revenueId,
      settlementId: paid.settlementId,
      metadata: JSON.stringify({
        orderId: item.orderId,
        price: new Decimal(item.price).toFixed(4),
        cost: new Decimal(item.cost).toFixed(4),
        margin: item.margin.toFixed(4),
        cards: item.cards,
        costSource: item.costSource,
      }),
    });
  }
  // One lock order for every settlement (settlement shard, then order): concurrent completions queue instead of deadlocking.
  rows.sort((a, b) => (a.debit < b.debit ? -1 : a.debit > b.debit ? 1 : a.orderId < b.orderId ? -1 : 1));
  const values = sql.join(
    rows.map(
      (r, i) =>
        sql`(${i}::int, ${newId("trf")}::text, ${r.amount}::numeric, ${r.currency}::text, ${r.debit}::text, ${r.credit}::text, ${r.orderId}::text, ${r.metadata}::jsonb, ${newId("ent")}::text, ${newId("ent")}::text)`,
    ),
    sql`, `,
  );
  const answers = await tx.execute<{
    n: number;
    outcome: string;
    problem_account: string | null;
    problem_detail: string | null;
    id: string | null;
    amount: string | null;
    debit_account_id: string | null;
  }>(sql`
    select v.n, d.outcome, d.problem_account, d.problem_detail, d.id, d.amount::text as amount, d.debit_account_id
    from (values ${values}) as v(n, id, amount, currency, debit, credit, reference, metadata, de, ce)
    cross join lateral ledger_transfer(v.id, 'order_revenue', v.amount, v.currency, v.debit, v.credit, v.reference, ${actor}, v.metadata, v.de, v.ce) d
    order by v.n`);
  const recognised: RecognisedMargin[] = [];
  for (const a of answers) {
    const r = rows[a.n]!;
    if (a.outcome === "created") {
      if (r.credit !== r.settlementId) recognised.push({ orderId: r.orderId, margin: r.amount, revenueAccountId: r.credit });
      continue;
    }
    if (a.outcome === "existing") {
      if (!amountsEqual(a.amount!, r.amount) || a.debit_account_id !== r.debit) {
        throw new LedgerConflictError("order_revenue", r.orderId, a.id!, `amount ${a.amount} from ${a.debit_account_id}`);
      }
      continue;
    }
    throw refusalError(refusalOf(a.outcome, r, a.problem_account, a.problem_detail));
  }
  // The agents' share of the margins recognised now (sub-agents' orders), in this transaction.
  await creditAgentCommissions(tx, recognised, actor);
}

function refusalOf(outcome: string, r: { amount: Amount; currency: Currency; debit: string }, account: string | null, detail: string | null): TransferRefusal {
  switch (outcome) {
    case "currency_mismatch":
      return { ok: false, refusal: "currency_mismatch", accountId: account ?? "(none)", expected: r.currency, actual: detail ?? "" };
    case "environment_mismatch":
      return { ok: false, refusal: "environment_mismatch", debitAccountId: account ?? "(none)", creditAccountId: detail ?? "" };
    case "insufficient_funds":
      return { ok: false, refusal: "insufficient_funds", accountId: r.debit, requested: r.amount, currency: r.currency };
    default:
      return { ok: false, refusal: "account_not_found", accountId: account ?? "(none)" };
  }
}

export interface PlatformRevenue {
  currency: Currency;
  environment: LedgerEnvironment;
  /** Net margin recognised (losses subtracted), 4 decimals. */
  revenue: Amount;
  /** Orders with a non-zero margin in the range. */
  orders: number;
}

/**
 * The platform's recognised revenue per currency and environment: the net of `order_revenue`
 * transfers made in [from, to) (recognised when each order completed) less the reversals of
 * refunded orders' margins made in it (`order_revenue_reversal`), for the admin metrics.
 */
export async function platformRevenue(db: DbOrTx, opts: { from?: Date; to?: Date; environment?: LedgerEnvironment } = {}): Promise<PlatformRevenue[]> {
  // Net of reversals: a refunded order's margin leaves revenue again (reverseOrderRevenue).
  const conditions: SQL[] = [inArray(ledgerTransfers.kind, ["order_revenue", "order_revenue_reversal"])];
  if (opts.from) conditions.push(gte(ledgerTransfers.createdAt, opts.from));
  if (opts.to) conditions.push(lt(ledgerTransfers.createdAt, opts.to));
  if (opts.environment) conditions.push(eq(ledgerTransfers.environment, opts.environment));
  return db
    .select({
      currency: ledgerTransfers.currency,
      environment: ledgerTransfers.environment,
      revenue: sql<string>`sum(case when ${ledgerAccounts.kind} = 'platform_revenue' then ${ledgerTransfers.amount} else -${ledgerTransfers.amount} end)::numeric(19,4)::text`,
      orders: sql<number>`count(distinct ${ledgerTransfers.reference})::int`,
    })
    .from(ledgerTransfers)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerTransfers.creditAccountId))
    .where(and(...conditions))
    .groupBy(ledgerTransfers.currency, ledgerTransfers.environment)
    .orderBy(ledgerTransfers.currency, ledgerTransfers.environment);
}

/**
 * Takes back an order's recognised margin when the order is refunded after it completed: one
 * `order_revenue_reversal` transfer (reference = order id, so at most once per order), the
 * `order_revenue` transfer's accounts the other way round and the same amount. Nothing when no
 * margin was recognised (none yet, or a zero margin). Call it in the refund's transaction.
 */
export async function reverseOrderRevenue(tx: DbOrTx, input: { orderId: string; actor: string; reason?: string }) {
  const recognised = await findTransferByReference(tx, "order_revenue", input.orderId);
  if (!recognised) return null;
  const { transfer: reversal, created } = await transfer(tx, {
    kind: "order_revenue_reversal",
    amount: recognised.amount,
    currency: recognised.currency,
    debitAccountId: recognised.creditAccountId,
    creditAccountId: recognised.debitAccountId,
    reference: input.orderId,
    actor: input.actor,
    metadata: { orderId: input.orderId, revenueTransferId: recognised.id, ...(input.reason ? { reason: input.reason } : {}) },
  });
  // The agent's commission on that margin goes back with it, same transaction, once.
  await reverseAgentCommission(tx, input);
  return { reversal, created };
}
