import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { activationFunnel } from "@/server/partners/activation";

/*
 * Growth metrics for the admin dashboard (issue 17 item 10). Every number is computed by
 * PostgreSQL: buckets are UTC days or ISO weeks (Monday) from generate_series, so a bucket
 * without activity is there with zeros; the browser only draws them.
 */

export type Granularity = "day" | "week";
export type MetricsEnvironment = "sandbox" | "live";

export interface MetricsRange {
  /** First instant included. */
  from: Date;
  /** First instant excluded. */
  to: Date;
  granularity: Granularity;
  /** One environment, or both when absent (signups have none). */
  environment?: MetricsEnvironment;
}

export interface ActivityBucket {
  /** The bucket's first day, `YYYY-MM-DD` (UTC; a week starts on Monday). */
  bucket: string;
  /** Partners created. */
  signups: number;
  /** Partners with at least one order created in the bucket. */
  activePartners: number;
  orders: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

export interface MoneyBucket {
  bucket: string;
  currency: string;
  environment: MetricsEnvironment;
  /** What partners paid for orders, net of refunds (order debits − order refunds), 4 decimals. */
  sales: string;
  /** Platform revenue: margins recognised on completed orders, net of losses and of reversals on refund, 4 decimals. */
  margin: string;
}

export interface MoneyTotal {
  currency: string;
  environment: MetricsEnvironment;
  sales: string;
  margin: string;
  /** Orders with a margin recognised (or reversed) in the range. */
  ordersWithMargin: number;
}

/** `date_trunc` of a timestamptz column in UTC, as a date. */
const bucketOf = (g: Granularity, column: SQL) => sql`date_trunc(${g}, ${column} at time zone 'UTC')::date`;

function bucketsCte(r: MetricsRange): SQL {
  const last = new Date(r.to.getTime() - 1).toISOString();
  return sql`buckets as (
    select b::date as bucket
    from generate_series(date_trunc(${r.granularity}, ${r.from.toISOString()}::timestamptz at time zone 'UTC'),
                         date_trunc(${r.granularity}, ${last}::timestamptz at time zone 'UTC'),
                         ${`1 ${r.granularity}`}::interval) b
  )`;
}

const inRange = (column: SQL, r: MetricsRange) => sql`${column} >= ${r.from.toISOString()}::timestamptz and ${column} < ${r.to.toISOString()}::timestamptz`;
const inEnvironment = (column: SQL, r: MetricsRange) => (r.environment ? sql`and ${column}::text = ${r.environment}` : sql``);

/** Per bucket: signups, active partners, orders by status. */
async function activity(db: DbOrTx, r: MetricsRange): Promise<ActivityBucket[]> {
  const rows = await db.execute<Record<string, string | number>>(sql`
    with ${bucketsCte(r)},
    signups as (
      select ${bucketOf(r.granularity, sql`created_at`)} as bucket, count(*)::int as n
      from partners where ${inRange(sql`created_at`, r)} group by 1
    ),
    o as (
      select ${bucketOf(r.granularity, sql`created_at`)} as bucket,
        count(*)::int as orders,
        count(distinct partner_id)::int as active,
        count(*) filter (where status = 'pending')::int as pending,
        count(*) filter (where status = 'processing')::int as processing,
        count(*) filter (where status = 'completed')::int as completed,
        count(*) filter (where status = 'failed')::int as failed
      from orders where ${inRange(sql`created_at`, r)} ${inEnvironment(sql`environment`, r)} group by 1
    )
    select to_char(b.bucket, 'YYYY-MM-DD') as bucket, coalesce(s.n, 0) as signups, coalesce(o.active, 0) as active,
      coalesce(o.orders, 0) as orders, coalesce(o.pending, 0) as pending, coalesce(o.processing, 0) as processing,
      coalesce(o.completed, 0) as completed, coalesce(o.failed, 0) as failed
    from buckets b left join signups s on s.bucket = b.bucket left join o on o.bucket = b.bucket
    order by b.bucket`);
  return rows.map((x) => ({
    bucket: String(x.bucket),
    signups: Number(x.signups),
    activePartners: Number(x.active),
    orders: Number(x.orders),
    pending: Number(x.pending),
    processing: Number(x.processing),
    completed: Number(x.completed),
    failed: Number(x.failed),
  }));
}

/** The range as a whole (active partners are distinct over the range, not a sum of buckets). */
async function activityTotals(db: DbOrTx, r: MetricsRange) {
  const [row] = await db.execute<Record<string, number>>(sql`
    select (select count(*)::int from partners where ${inRange(sql`created_at`, r)}) as signups,
      count(distinct partner_id)::int as active, count(*)::int as orders,
      count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'processing')::int as processing,
      count(*) filter (where status = 'completed')::int as completed,
      count(*) filter (where status = 'failed')::int as failed
    from orders where ${inRange(sql`created_at`, r)} ${inEnvironment(sql`environment`, r)}`);
  return {
    signups: Number(row!.signups),
    activePartners: Number(row!.active),
    orders: Number(row!.orders),
    pending: Number(row!.pending),
    processing: Number(row!.processing),
    completed: Number(row!.completed),
    failed: Number(row!.failed),
  };
}

/** The ledger's movements of orders in the range: sales and margin per transfer (signed). */
function moneyMovements(r: MetricsRange): SQL {
  return sql`m as (
    select ${bucketOf(r.granularity, sql`t.created_at`)} as bucket, t.currency, t.environment::text as environment, t.reference,
      case t.kind when 'order_debit' then t.amount when 'order_refund' then -t.amount else 0 end as sales,
      case when t.kind in ('order_revenue', 'order_revenue_reversal')
        then case when c.kind = 'platform_revenue' then t.amount else -t.amount end else 0 end as margin,
      t.kind in ('order_revenue', 'order_revenue_reversal') as margin_move
    from ledger_transfers t join ledger_accounts c on c.id = t.credit_account_id
    where t.kind in ('order_debit', 'order_refund', 'order_revenue', 'order_revenue_reversal')
      and ${inRange(sql`t.created_at`, r)} ${inEnvironment(sql`t.environment`, r)}
  )`;
}

/** Per bucket, currency and environment: sales and margin (zeros for empty buckets of a currency seen in the range). */
async function money(db: DbOrTx, r: MetricsRange): Promise<MoneyBucket[]> {
  const rows = await db.execute<{ bucket: string; currency: string; environment: MetricsEnvironment; sales: string; margin: string }>(sql`
    with ${bucketsCte(r)}, ${moneyMovements(r)},
    per as (select bucket, currency, environment, sum(sales) as sales, sum(margin) as margin from m group by 1, 2, 3),
    keys as (select distinct currency, environment from m)
    select to_char(b.bucket, 'YYYY-MM-DD') as bucket, k.currency, k.environment,
      coalesce(p.sales, 0)::numeric(19,4)::text as sales, coalesce(p.margin, 0)::numeric(19,4)::text as margin
    from buckets b cross join keys k
    left join per p on p.bucket = b.bucket and p.currency = k.currency and p.environment = k.environment
    order by b.bucket, k.environment, k.currency`);
  return rows.map((x) => ({ bucket: x.bucket, currency: x.currency, environment: x.environment, sales: x.sales, margin: x.margin }));
}

async function moneyTotals(db: DbOrTx, r: MetricsRange): Promise<MoneyTotal[]> {
  const rows = await db.execute<{ currency: string; environment: MetricsEnvironment; sales: string; margin: string; orders: number }>(sql`
    with ${moneyMovements(r)}
    select currency, environment, sum(sales)::numeric(19,4)::text as sales, sum(margin)::numeric(19,4)::text as margin,
      (count(distinct reference) filter (where margin_move))::int as orders
    from m group by 1, 2 order by 2, 1`);
  return rows.map((x) => ({ currency: x.currency, environment: x.environment, sales: x.sales, margin: x.margin, ordersWithMargin: Number(x.orders) }));
}

/** Everything the metrics page draws, for one range, granularity and environment. */
export async function growthMetrics(db: DbOrTx, r: MetricsRange) {
  const [series, totals, moneySeries, moneyByCurrency, funnel] = await Promise.all([
    activity(db, r),
    activityTotals(db, r),
    money(db, r),
    moneyTotals(db, r),
    activationFunnel(db, { from: r.from, to: r.to }),
  ]);
  return {
    range: { from: r.from.toISOString(), to: r.to.toISOString(), granularity: r.granularity, environment: r.environment ?? null },
    series,
    totals,
    money: moneySeries,
    moneyTotals: moneyByCurrency,
    funnel: funnel.steps,
  };
}
