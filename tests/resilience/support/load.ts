import { expect } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { sql as dsql } from "drizzle-orm";
import { mulberry32 } from "@/lib/prng";
import { createDatabase, type Database } from "@/server/db/client";
import { createApiKey } from "@/server/keys";
import { checkInvariants, grantSandboxFunds } from "@/server/ledger";
import { makePartner } from "../../support/factories";

/** How big a run is: `full` (npm run test:resilience) or `reduced` (inside npm test). */
export const SIZE = process.env.RESILIENCE_SIZE === "full" ? "full" : "reduced";
export const SEED = Number(process.env.RESILIENCE_SEED ?? 20261125);
export const RANGED_USD = "BAM-990001";

// Seeded PRNG: the same plan for the same seed.
export { mulberry32 };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function openDatabase(url: string): Database {
  return createDatabase(url, 8);
}

export interface Wallet {
  partnerId: string;
  key: string;
}

/** `n` sandbox partners with the sandbox grant and one sandbox API key each, created in the database directly. */
export async function makeWallets(d: Database, n: number, tag: string): Promise<Wallet[]> {
  const out: Wallet[] = [];
  for (let i = 0; i < n; i++) {
    const partnerId = await makePartner(d.db, `${tag} ${i}`);
    await grantSandboxFunds(d.db, partnerId);
    const { secret } = await createApiKey(d.db, { partnerId, environment: "sandbox", name: tag, actor: "resilience" });
    out.push({ partnerId, key: secret });
  }
  return out;
}

/** Waits until the app's first catalog sync has made the test product orderable. */
export async function waitForCatalog(d: Database, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const rows = await d.db.execute(dsql`select 1 from catalog_products where sku = ${RANGED_USD}`);
    if (rows.length) return;
    await sleep(250);
  }
  throw new Error("the catalog sync did not bring in the test product in time");
}

export interface PlannedOrder {
  wallet: Wallet;
  body: { sku: string; faceValue: string; quantity: number; referenceId: string };
}

/**
 * `orders` requests over the wallets; `dupRate` of them repeat an earlier request (same
 * reference, same body), shuffled in among the rest. Face values mix plain cards with the mock's
 * refusal (.13), later failure (.66) and partial fulfilment (.50 × 2).
 */
export function planOrders(opts: { seed: number; orders: number; wallets: Wallet[]; dupRate: number; tag: string }): { plan: PlannedOrder[]; unique: number } {
  const rand = mulberry32(opts.seed);
  const faces = ["5.00", "7.00", "9.00", "3.00", "6.13", "8.66", "4.50"];
  const unique = Math.round(opts.orders * (1 - opts.dupRate));
  const base: PlannedOrder[] = Array.from({ length: unique }, (_, i) => ({
    wallet: opts.wallets[i % opts.wallets.length]!,
    body: { sku: RANGED_USD, faceValue: faces[Math.floor(rand() * faces.length)]!, quantity: 1 + Math.floor(rand() * 2), referenceId: `${opts.tag}-${i}` },
  }));
  const dups = Array.from({ length: opts.orders - unique }, () => base[Math.floor(rand() * base.length)]!);
  const plan = [...base, ...dups];
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return { plan, unique };
}

export interface LoadResult {
  requests: number;
  /** HTTP attempts, including retries after 429, 5xx and connection errors. */
  attempts: number;
  retries: number;
  /** Latency of every attempt that got an answer, ms. */
  latencies: number[];
  finalStatuses: Record<string, number>;
  orderIds: Set<string>;
  failures: string[];
  elapsedMs: number;
}

/**
 * Sends the plan with `concurrency` clients, round-robin over `targets`. A request is retried
 * with the same body (so the same referenceId) after a connection error, 429 or 5xx, until
 * `deadlineMs`: what a careful integrator does while the service restarts.
 */
export async function sendOrders(opts: {
  targets: string[];
  plan: PlannedOrder[];
  concurrency: number;
  deadlineMs: number;
  onProgress?: (done: number) => void;
}): Promise<LoadResult> {
  const r: LoadResult = {
    requests: opts.plan.length,
    attempts: 0,
    retries: 0,
    latencies: [],
    finalStatuses: {},
    orderIds: new Set(),
    failures: [],
    elapsedMs: 0,
  };
  const started = performance.now();
  const until = Date.now() + opts.deadlineMs;
  let next = 0;
  let done = 0;
  async function one(p: PlannedOrder, n: number) {
    for (let attempt = 0; ; attempt++) {
      const target = opts.targets[(n + attempt) % opts.targets.length]!;
      r.attempts++;
      if (attempt > 0) r.retries++;
      const t0 = performance.now();
      let status = 0;
      let text = "";
      let retryAfter = 0;
      try {
        const res = await fetch(`${target}/api/v1/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": p.wallet.key },
          body: JSON.stringify(p.body),
          signal: AbortSignal.timeout(30_000),
        });
        text = await res.text();
        status = res.status;
        retryAfter = Number(res.headers.get("retry-after") ?? 0);
        r.latencies.push(performance.now() - t0);
      } catch (e) {
        text = String(e);
      }
      if (status === 200 || status === 202) {
        r.orderIds.add((JSON.parse(text) as { id: string }).id);
        r.finalStatuses[status] = (r.finalStatuses[status] ?? 0) + 1;
        return;
      }
      const retriable = status === 0 || status === 429 || status >= 500;
      if (!retriable || Date.now() > until) {
        r.finalStatuses[status] = (r.finalStatuses[status] ?? 0) + 1;
        r.failures.push(`${p.body.referenceId}: ${status} ${text.slice(0, 200)}`);
        return;
      }
      await sleep(retryAfter ? retryAfter * 1000 : Math.min(2_000, 100 * 2 ** Math.min(attempt, 4)));
    }
  }
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.plan.length) {
        const n = next++;
        await one(opts.plan[n]!, n);
        opts.onProgress?.(++done);
      }
    }),
  );
  r.elapsedMs = performance.now() - started;
  return r;
}

/**
 * Waits until no order is pending or processing; the time it took, ms. Then waits (at most
 * RUNS_SETTLE_MS more, not counted) for the order and batch runs to end: with vendor batches an
 * order can be completed by its batch while its own run still queues (a batch takes its members
 * from the pool, and batch runs go first), and that run then only finds the order done.
 */
export async function waitDrained(d: Database, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = (await d.sql`select count(*)::int as open from orders where status in ('pending', 'processing')`) as unknown as [{ open: number }];
    if (row.open === 0) {
      const drained = performance.now() - started;
      await waitRunsTerminal(d, RUNS_SETTLE_MS);
      return drained;
    }
    if (Date.now() > until) {
      // Say where the open orders are stuck: their state, their vendor calls and their fulfil runs.
      const open = await d.sql`
        select o.id, o.status, o.vendor_status, o.poll_count, o.created_at, o.placed_at,
          (select json_agg(json_build_object('kind', c.kind, 'status', c.status, 'at', c.created_at) order by c.created_at)
             from vendor_calls c where c.order_id = o.id) as calls,
          (select json_agg(json_build_object('fn', r.function_id, 'status', r.status, 'attempt', r.attempt, 'failures', r.failures, 'steps', r.step_count, 'runAt', r.run_at))
             from job_runs r where r.event_id in (select e.id from job_events e where e.key = 'order-created:' || o.id)) as runs
        from orders o where o.status in ('pending', 'processing') limit 5`;
      throw new Error(`${row.open} order(s) still open after ${timeoutMs} ms: ${JSON.stringify(open)}`);
    }
    await sleep(250);
  }
}

const RUNS_SETTLE_MS = 60_000;

/** Waits until no order or batch run is queued, running or sleeping (the invariants then check it). */
async function waitRunsTerminal(d: Database, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [row] = (await d.sql`
      select count(*)::int as n from job_runs
      where (function_id like '%order-fulfil' or function_id like '%order-batch') and status not in ('completed', 'failed', 'cancelled')`) as unknown as [
      { n: number },
    ];
    if (row.n === 0) return;
    await sleep(250);
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface InvariantFindings {
  orders: number;
  byStatus: Record<string, number>;
  openOrders: number;
  duplicateReferences: number;
  ordersWithoutOneDebit: number;
  debitAmountMismatch: number;
  doubleRefunds: number;
  refundMismatch: number;
  vendorOrdersTwice: number;
  vendorOrdersWithoutOrder: number;
  completedWithoutOneVendorOrder: number;
  fulfilRunsNotTerminal: number;
  /** Vendor orders made (one per vendor batch): a figure, not a violation. */
  vendorPlacements: number;
  ledgerOk: boolean;
  ledgerReport: string;
}

/** Asserts the order-flow invariants after a run: `unique` orders, every violation count zero, ledger ok. */
export function expectOrderInvariants(found: InvariantFindings, unique: number): void {
  expect(found.orders).toBe(unique);
  expect(found).toMatchObject({
    openOrders: 0,
    duplicateReferences: 0,
    ordersWithoutOneDebit: 0,
    debitAmountMismatch: 0,
    doubleRefunds: 0,
    refundMismatch: 0,
    vendorOrdersTwice: 0,
    vendorOrdersWithoutOrder: 0,
    completedWithoutOneVendorOrder: 0,
    fulfilRunsNotTerminal: 0,
  });
  expect(found.ledgerOk, found.ledgerReport).toBe(true);
}

const n = (rows: unknown) => (rows as Array<{ n: number }>)[0]!.n;

/** Every invariant of the order flow, each as a count that must be zero (ledger: ok). */
export async function findInvariantViolations(d: Database): Promise<InvariantFindings> {
  const s = d.sql;
  const statuses = (await s`select status::text, count(*)::int as n from orders group by status`) as unknown as Array<{ status: string; n: number }>;
  const report = await checkInvariants(d.db);
  return {
    orders: statuses.reduce((a, r) => a + r.n, 0),
    byStatus: Object.fromEntries(statuses.map((r) => [r.status, r.n])),
    openOrders: n(await s`select count(*)::int as n from orders where status in ('pending', 'processing')`),
    duplicateReferences: n(await s`select count(*)::int as n from (select 1 from orders group by partner_id, environment, reference_id having count(*) > 1) x`),
    ordersWithoutOneDebit: n(
      await s`
      select count(*)::int as n from orders o
      where (select count(*) from ledger_transfers t where t.kind = 'order_debit' and t.reference = o.id) <> 1`,
    ),
    debitAmountMismatch: n(
      await s`
      select count(*)::int as n from orders o join ledger_transfers t on t.kind = 'order_debit' and t.reference = o.id
      where t.amount <> o.total_price`,
    ),
    doubleRefunds: n(
      await s`select count(*)::int as n from (select 1 from ledger_transfers where kind = 'order_refund' group by reference having count(*) > 1) x`,
    ),
    refundMismatch: n(
      await s`
      select count(*)::int as n from orders o
      left join (select reference, sum(amount) as amount from ledger_transfers where kind = 'order_refund' group by reference) r on r.reference = o.id
      where coalesce(r.amount, 0) <> o.refunded_amount
         or (o.status = 'failed' and coalesce(r.amount, 0) <> o.total_price)
         or (o.status = 'completed' and o.cards_delivered = o.quantity and coalesce(r.amount, 0) <> 0)`,
    ),
    vendorOrdersTwice: n(await s`select count(*)::int as n from (select 1 from mock_vendor_orders group by request_id having count(*) > 1) x`),
    // A vendor order is placed under a vendor batch's request id (orders made before batching: the order's own).
    vendorOrdersWithoutOrder: n(
      await s`
      select count(*)::int as n from mock_vendor_orders m
      where not exists (select 1 from orders o where not o.batched and o.vendor_request_id = m.request_id)
        and not exists (select 1 from vendor_batches b join orders o on o.batch_id = b.id where b.vendor_request_id = m.request_id)`,
    ),
    completedWithoutOneVendorOrder: n(
      await s`
      select count(*)::int as n from orders o left join vendor_batches b on b.id = o.batch_id where o.status = 'completed'
        and (select count(*) from mock_vendor_orders m where m.request_id = case when o.batched then b.vendor_request_id else o.vendor_request_id end) <> 1`,
    ),
    fulfilRunsNotTerminal: n(
      await s`
      select count(*)::int as n from job_runs where (function_id like '%order-fulfil' or function_id like '%order-batch') and status not in ('completed', 'failed', 'cancelled')`,
    ),
    vendorPlacements: n(await s`select count(*)::int as n from mock_vendor_orders`),
    ledgerOk: report.ok,
    ledgerReport: JSON.stringify(report).slice(0, 600),
  };
}

/**
 * What the vendor answered, by HTTP status (null = no answer: timeout or connection error), and
 * the HTTP attempts of placements and of get-order calls (each retry is one more).
 */
export async function vendorCallSummary(
  d: Database,
): Promise<{ calls: number; failed: number; byStatus: Record<string, number>; placeOrderCalls: number; getOrderCalls: number }> {
  const rows = (await d.sql`select coalesce(status::text, 'none') as status, count(*)::int as n from vendor_calls group by 1 order by 1`) as unknown as Array<{
    status: string;
    n: number;
  }>;
  const kinds = (await d.sql`select kind::text, count(*)::int as n from vendor_calls group by 1`) as unknown as Array<{ kind: string; n: number }>;
  const calls = rows.reduce((a, r) => a + r.n, 0);
  const failed = rows.filter((r) => r.status === "none" || r.status === "429" || Number(r.status) >= 500).reduce((a, r) => a + r.n, 0);
  const kind = (k: string) => kinds.find((r) => r.kind === k)?.n ?? 0;
  return {
    calls,
    failed,
    byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
    placeOrderCalls: kind("place_order"),
    getOrderCalls: kind("get_order"),
  };
}

const FIGURES = path.resolve(".data/resilience-figures.json");

/** Keeps a scenario's figures for scripts/resilience.ts (and prints them). */
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(FIGURES, "utf8")) as Record<string, unknown>;
  } catch {
    // first scenario of the run
  }
  all[scenario] = { size: SIZE, seed: SEED, ...figures };
  fs.mkdirSync(path.dirname(FIGURES), { recursive: true });
  fs.writeFileSync(FIGURES, JSON.stringify(all, null, 2));
  console.log(`[resilience] ${scenario}: ${JSON.stringify(figures)}`);
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
