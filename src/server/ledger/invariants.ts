import DecimalBase from "decimal.js";
import { sql } from "drizzle-orm";
import type { Amount, Currency } from "@/lib/money";
import type { DbOrTx, Tx } from "@/server/db/client";
import type { LedgerEnvironment } from "./accounts";
import { type CommissionMismatch, checkCommissions } from "./commission";

export interface AccountDrift {
  accountId: string;
  balance: Amount;
  entriesSum: Amount;
  /** balance - entriesSum */
  drift: Amount;
}

export interface CurrencyTotal {
  currency: Currency;
  environment: LedgerEnvironment;
  /** Sum of every account's balance: zero when the books balance. */
  balanceSum: Amount;
  /** Sum of every entry: zero when every transfer has both sides. */
  entriesSum: Amount;
}

export interface InvariantReport {
  ok: boolean;
  drift: AccountDrift[];
  totals: CurrencyTotal[];
  /** Transfers whose entries are not exactly one -amount and one +amount. */
  unbalancedTransfers: string[];
  /** Wallets below zero (the CHECK constraint should make this impossible). */
  negativeWallets: string[];
  /**
   * Orders whose recognised revenue (net `order_revenue`) is not their margin: a completed order
   * must have exactly totalPrice − refundedAmount − settledCost, any other order none (first 1000).
   * `status` null: revenue recorded for an order that does not exist.
   */
  revenueMismatches: RevenueMismatch[];
  /** Per currency and environment: Σ margins of completed orders against the platform revenue accounts. */
  revenue: RevenueTotal[];
  /** Completed before revenue was recognised (no settled cost, no revenue): counted, not a fault. */
  completedWithoutCost: number;
  /** Agents' commissions that break their rules (src/server/ledger/commission.ts `checkCommissions`). */
  commissionMismatches: CommissionMismatch[];
}

export interface RevenueMismatch {
  orderId: string;
  status: string | null;
  /** The margin the order should have recognised (null: unknown, completed without a settled cost). */
  expected: Amount | null;
  recognised: Amount;
}

export interface RevenueTotal {
  currency: Currency;
  environment: LedgerEnvironment;
  /** Σ (totalPrice − refundedAmount − settledCost) over completed orders. */
  margins: Amount;
  /** Net of `order_revenue` transfers. */
  recognised: Amount;
  /** Net of every other transfer into or out of platform revenue (none today; payouts from revenue later). */
  otherMovements: Amount;
  /** Σ balances of the platform revenue accounts: must be margins + otherMovements. */
  balance: Amount;
}

const Decimal = DecimalBase.clone({ precision: 40 });

/**
 * Checks the ledger's invariants in one consistent read: each balance equals the sum of its
 * entries, each currency (per environment) sums to zero, each transfer has two matching sides,
 * no wallet is negative; and revenue: each order recognised exactly its margin (completed) or
 * nothing (any other state), and the platform revenue accounts hold the sum of those margins.
 */
export async function checkInvariants(db: DbOrTx): Promise<InvariantReport> {
  return db.transaction(
    async (tx) => {
      // Whole-ledger scans: on a large ledger they may rightly outlast the app's statement timeout
      // (DATABASE_STATEMENT_TIMEOUT_MS), so this read-only check gets ten minutes.
      await tx.execute(sql`set local statement_timeout = '600s'`);
      const drift = await tx.execute<{ accountId: string; balance: string; entriesSum: string; drift: string }>(sql`
        select a.id as "accountId", a.balance::text as balance, coalesce(e.total, 0)::numeric(19,4)::text as "entriesSum",
               (a.balance - coalesce(e.total, 0))::numeric(19,4)::text as drift
        from ledger_accounts a
        left join (select account_id, sum(amount) as total from ledger_entries group by account_id) e on e.account_id = a.id
        where a.balance <> coalesce(e.total, 0)
        order by a.id`);
      const totals = await tx.execute<{ currency: string; environment: LedgerEnvironment; balanceSum: string; entriesSum: string }>(sql`
        select a.currency, a.environment::text as environment,
               sum(a.balance)::numeric(19,4)::text as "balanceSum",
               coalesce(sum(e.total), 0)::numeric(19,4)::text as "entriesSum"
        from ledger_accounts a
        left join (select account_id, sum(amount) as total from ledger_entries group by account_id) e on e.account_id = a.id
        group by a.currency, a.environment
        order by a.currency, a.environment`);
      const unbalanced = await tx.execute<{ id: string }>(sql`
        select t.id from ledger_transfers t
        left join ledger_entries e on e.transfer_id = t.id
        group by t.id, t.amount, t.debit_account_id, t.credit_account_id
        having count(e.id) <> 2
            or count(*) filter (where e.account_id = t.debit_account_id and e.amount = -t.amount) <> 1
            or count(*) filter (where e.account_id = t.credit_account_id and e.amount = t.amount) <> 1
        order by t.id`);
      const negative = await tx.execute<{ id: string }>(sql`
        select id from ledger_accounts where kind = 'partner_wallet' and balance < 0 order by id`);
      const totalsOut = totals.map((t) => ({ ...t }));
      const { mismatches, revenue, completedWithoutCost } = await checkRevenue(tx);
      const commissionMismatches = await checkCommissions(tx);
      const ok =
        drift.length === 0 &&
        unbalanced.length === 0 &&
        negative.length === 0 &&
        totalsOut.every((t) => /^-?0\.0000$/.test(t.balanceSum) && /^-?0\.0000$/.test(t.entriesSum)) &&
        mismatches.length === 0 &&
        commissionMismatches.length === 0 &&
        revenue.every((r) => new Decimal(r.margins).eq(r.recognised) && new Decimal(r.margins).plus(r.otherMovements).eq(r.balance));
      return {
        ok,
        drift: drift.map((d) => ({ ...d })),
        totals: totalsOut,
        unbalancedTransfers: unbalanced.map((r) => r.id),
        negativeWallets: negative.map((r) => r.id),
        revenueMismatches: mismatches,
        revenue,
        completedWithoutCost,
        commissionMismatches,
      };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** An order's expected margin in SQL: completed with a settled cost → price of the delivered cards − their cost; completed without → unknown (null); otherwise 0. */
const EXPECTED_MARGIN = sql.raw(`case when o.status = 'completed' and o.settled_cost is not null then o.total_price - o.refunded_amount - o.settled_cost
  when o.status = 'completed' then null else 0 end`);

/** Net `order_revenue` (less its reversal on refund) per order, signed: + into platform revenue, − out of it (a loss). */
const RECOGNISED = sql.raw(`select t.reference as order_id, t.currency, t.environment,
    sum(case when ca.kind = 'platform_revenue' then t.amount else -t.amount end) as recognised
  from ledger_transfers t join ledger_accounts ca on ca.id = t.credit_account_id
  where t.kind in ('order_revenue', 'order_revenue_reversal') group by t.reference, t.currency, t.environment`);

async function checkRevenue(tx: Tx) {
  const mismatches = await tx.execute<{ orderId: string; status: string | null; expected: string | null; recognised: string }>(sql`
    with rev as (${RECOGNISED}),
    exp as (select o.id, o.status::text as status, ${EXPECTED_MARGIN} as expected from orders o)
    select coalesce(e.id, r.order_id) as "orderId", e.status, e.expected::numeric(19,4)::text as expected,
           coalesce(r.recognised, 0)::numeric(19,4)::text as recognised
    from exp e full join rev r on r.order_id = e.id
    where e.id is null
       or (e.expected is null and coalesce(r.recognised, 0) <> 0)
       or (e.expected is not null and e.expected <> coalesce(r.recognised, 0))
    order by 1
    limit 1000`);
  const rows = await tx.execute<{
    currency: string;
    environment: LedgerEnvironment;
    margins: string;
    recognised: string;
    other: string;
    balance: string;
  }>(sql`
    with keys as (
      select currency, environment from orders where status = 'completed'
      union select currency, environment from ledger_accounts where kind = 'platform_revenue'
    )
    select k.currency, k.environment::text as environment,
      coalesce((select sum(${EXPECTED_MARGIN}) from orders o where o.currency = k.currency and o.environment = k.environment and o.status = 'completed'), 0)::numeric(19,4)::text as margins,
      coalesce((select sum(r.recognised) from (${RECOGNISED}) r where r.currency = k.currency and r.environment = k.environment), 0)::numeric(19,4)::text as recognised,
      coalesce((select sum(e.amount) from ledger_entries e
                join ledger_accounts a on a.id = e.account_id and a.kind = 'platform_revenue'
                join ledger_transfers t on t.id = e.transfer_id and t.kind not in ('order_revenue', 'order_revenue_reversal')
                where a.currency = k.currency and a.environment = k.environment), 0)::numeric(19,4)::text as other,
      coalesce((select sum(a.balance) from ledger_accounts a where a.kind = 'platform_revenue' and a.currency = k.currency and a.environment = k.environment), 0)::numeric(19,4)::text as balance
    from keys k order by k.currency, k.environment`);
  const [legacy] = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from orders where status = 'completed' and settled_cost is null`);
  return {
    mismatches: mismatches.map((m) => ({ ...m })),
    revenue: rows.map((r) => ({
      currency: r.currency,
      environment: r.environment,
      margins: r.margins,
      recognised: r.recognised,
      otherMovements: r.other,
      balance: r.balance,
    })),
    completedWithoutCost: legacy?.n ?? 0,
  };
}
