import http from "node:http";
import type postgres from "postgres";
import type { CpuShare } from "./cpu";
import type { BenchPartner } from "./data";
import type { StatementCounter } from "./statements";

/**
 * Issue 13's fulfilment scenarios, against a running app whose mock vendor enforces Bamboo's
 * limits and completes orders at once (MOCK_VENDOR_FULFIL_MS=0). Orders go in over HTTP; the
 * bench reads outcomes from the database: orders (status), the mock vendor's own tables (one
 * `mock_vendor_orders` row per accepted placement, its items' quantities = cards) and our
 * `vendor_calls` log (every place-order and get-order attempt, 429s included).
 */
export interface BenchProduct {
  sku: string;
  faceValue: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function request(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: o.method ?? "GET",
        agent,
        headers: { ...o.headers, ...(o.body !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(o.body) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(o.body);
  });
}

/** USD-priced products visible to `key`, from the partner catalog API (a whole-number face value each). */
export async function orderableProducts(baseUrl: string, key: BenchPartner, exclude: string[]): Promise<BenchProduct[]> {
  const out: BenchProduct[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await request(`${baseUrl}/api/v1/catalog?limit=100${after ? `&startingAfter=${encodeURIComponent(after)}` : ""}`, {
      headers: { "x-api-key": key.secret },
    });
    if (r.status !== 200) throw new Error(`GET /api/v1/catalog answered ${r.status}: ${r.text.slice(0, 300)}`);
    const page = JSON.parse(r.text) as {
      data: { sku: string; priceCurrency: string; denomination: { type: "fixed"; faceValue: string } | { type: "range"; minFaceValue: string } }[];
      hasMore: boolean;
      nextCursor?: string | null;
    };
    for (const p of page.data) {
      const faceValue = p.denomination.type === "fixed" ? p.denomination.faceValue : p.denomination.minFaceValue;
      // Whole amounts only: the mock's magic values are keyed on the cents.
      if (p.priceCurrency === "USD" && /\.0+$|^\d+$/.test(faceValue) && !exclude.includes(p.sku)) out.push({ sku: p.sku, faceValue });
    }
    if (!page.hasMore || !page.nextCursor) return out;
    after = page.nextCursor;
  }
}

interface PostedOrder {
  id: string;
  sku: string;
  postedAt: number;
}

/** POSTs one order; throws unless 202. */
async function postOrder(baseUrl: string, key: BenchPartner, product: BenchProduct, referenceId: string): Promise<PostedOrder> {
  const postedAt = performance.now();
  const r = await request(`${baseUrl}/api/v1/orders`, {
    method: "POST",
    headers: { "x-api-key": key.secret },
    body: JSON.stringify({ sku: product.sku, faceValue: product.faceValue, quantity: 1, referenceId }),
  });
  if (r.status !== 202) throw new Error(`POST /api/v1/orders (${product.sku}) answered ${r.status}: ${r.text.slice(0, 300)}`);
  return { id: (JSON.parse(r.text) as { id: string }).id, sku: product.sku, postedAt };
}

async function openCount(sql: postgres.Sql, ids: string[]): Promise<{ open: number; completed: number; failed: number }> {
  const [row] = await sql<{ open: number; completed: number; failed: number }[]>`
    select count(*) filter (where status in ('pending', 'processing'))::int as open,
           count(*) filter (where status = 'completed')::int as completed,
           count(*) filter (where status = 'failed')::int as failed
    from orders where id = any(${ids}::text[])`;
  return row!;
}

export interface VendorCounts {
  /** Accepted placements (vendor orders) carrying the scenario's products, and their cards. */
  placements: number;
  cards: number;
  /** Every place-order attempt we made in the window (429s and retries included). */
  placeAttempts: number;
  getOrderCalls: number;
  rateLimited: number;
}

/** What the vendor saw between `since` and now, for the given products. */
async function vendorCounts(sql: postgres.Sql, since: Date, skus: string[]): Promise<VendorCounts> {
  const productIds = skus.map((s) => Number(s.replace(/^BAM-/, ""))).filter((n) => Number.isFinite(n));
  const [placed] = await sql<{ placements: number; cards: number }[]>`
    select count(distinct o.order_id)::int as placements, coalesce(sum((i->>'quantity')::int), 0)::int as cards
    from mock_vendor_orders o, jsonb_array_elements(o.items) i
    where o.created_at >= ${since.toISOString()}::timestamptz and (i->>'productId')::int = any(${productIds}::int[])`;
  const [calls] = await sql<{ place: number; get: number; limited: number }[]>`
    select count(*) filter (where kind = 'place_order')::int as place,
           count(*) filter (where kind = 'get_order')::int as get,
           count(*) filter (where status = 429)::int as limited
    from vendor_calls where started_at >= ${since.toISOString()}::timestamptz`;
  return { placements: placed!.placements, cards: placed!.cards, placeAttempts: calls!.place, getOrderCalls: calls!.get, rateLimited: calls!.limited };
}

export interface FulfilResult {
  scenario: string;
  orders: number;
  /** Seconds from the first POST to the last POST answered. */
  postSeconds: number;
  /** Seconds from the first POST until every order was terminal (null: not within the wait). */
  terminalSeconds: number | null;
  /** Seconds from the last POST until every order was terminal (null: not within the wait). */
  afterLastPostSeconds: number | null;
  completed: number;
  failed: number;
  open: number;
  vendor: VendorCounts;
  /** CPU over the scenario (POSTs and fulfilment), in cores, and per terminal order in ms (app processes, PostgreSQL). */
  cpu: CpuShare | null;
  cpuSeconds: number;
  appMsPerOrder: number | null;
  postgresMsPerOrder: number | null;
  /** The app's statements and transactions per terminal order (pg_stat_statements), over the scenario. */
  statementsPerOrder: number | null;
  transactionsPerOrder: number | null;
}

/**
 * Sends `orders` orders (product and partner chosen per index) at `ratePerSecond` (Infinity: all at
 * once, 64 connections), then waits until every one is terminal, for at most the scenario's target
 * (so a miss costs the bench no more than the target's own time).
 */
export async function runFulfilment(o: {
  scenario: string;
  baseUrl: string;
  sql: postgres.Sql;
  orders: number;
  ratePerSecond: number;
  order: (i: number) => { key: BenchPartner; product: BenchProduct };
  referencePrefix: string;
  /** How long to wait for every order to be terminal: after the last POST, or (waitFromFirstPostMs) from the first. */
  waitAfterLastPostMs?: number;
  waitFromFirstPostMs?: number;
  log: (msg: string) => void;
  meter?: () => { end(): CpuShare | null };
  statements?: StatementCounter | null;
}): Promise<FulfilResult> {
  const since = new Date(Date.now() - 1_000);
  await o.statements?.reset();
  const window = o.meter?.();
  const t0 = performance.now();
  const posts: Promise<PostedOrder>[] = [];
  for (let i = 0; i < o.orders; i++) {
    if (Number.isFinite(o.ratePerSecond)) {
      const due = t0 + (i * 1000) / o.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const { key, product } = o.order(i);
    posts.push(postOrder(o.baseUrl, key, product, `${o.referencePrefix}-${i}`));
  }
  const posted = await Promise.all(posts);
  const lastPost = performance.now();
  const ids = posted.map((p) => p.id);
  const skus = [...new Set(posted.map((p) => p.sku))];
  let state = await openCount(o.sql, ids);
  let lastReport = performance.now();
  const deadline = o.waitFromFirstPostMs !== undefined ? t0 + o.waitFromFirstPostMs : lastPost + (o.waitAfterLastPostMs ?? 60_000);
  while (state.open > 0 && performance.now() < deadline) {
    await sleep(100);
    state = await openCount(o.sql, ids);
    if (performance.now() - lastReport > 10_000) {
      o.log(`${o.scenario}: ${state.completed} completed, ${state.failed} failed, ${state.open} open after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      lastReport = performance.now();
    }
  }
  const end = performance.now();
  const cpu = window?.end() ?? null;
  const counted = (await o.statements?.read()) ?? null;
  const cpuSeconds = (end - t0) / 1000;
  const done = state.open === 0;
  const terminal = state.completed + state.failed;
  const perOrder = (cores: number | undefined) =>
    cpu && terminal > 0 && cores !== undefined ? Math.round(((cores * cpuSeconds * 1000) / terminal) * 10) / 10 : null;
  return {
    scenario: o.scenario,
    orders: o.orders,
    postSeconds: (lastPost - t0) / 1000,
    terminalSeconds: done ? (end - t0) / 1000 : null,
    afterLastPostSeconds: done ? (end - lastPost) / 1000 : null,
    ...state,
    vendor: await vendorCounts(o.sql, since, skus),
    cpu,
    cpuSeconds,
    appMsPerOrder: perOrder(cpu?.server),
    postgresMsPerOrder: perOrder(cpu?.postgres),
    statementsPerOrder: counted && terminal > 0 ? Math.round((counted.statements / terminal) * 10) / 10 : null,
    transactionsPerOrder: counted && terminal > 0 ? Math.round((counted.transactions / terminal) * 10) / 10 : null,
  };
}

/** A local receiver of webhook deliveries: when each order's `order.completed` first arrived. */
export async function startWebhookReceiver(port: number): Promise<{ url: string; arrivals: Map<string, number>; close(): Promise<void> }> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      const at = performance.now();
      const m = /"orderId"\s*:\s*"([^"]+)"/.exec(body);
      if (m && body.includes("order.completed") && !arrivals.has(m[1]!)) arrivals.set(m[1]!, at);
      res.statusCode = 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Subscribes `key`'s partner to `order.completed` at `url` (POST /api/v1/webhook-endpoints). */
export async function subscribeWebhook(baseUrl: string, key: BenchPartner, url: string): Promise<void> {
  const r = await request(`${baseUrl}/api/v1/webhook-endpoints`, {
    method: "POST",
    headers: { "x-api-key": key.secret },
    body: JSON.stringify({ url, events: ["order.completed"] }),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`POST /api/v1/webhook-endpoints answered ${r.status}: ${r.text.slice(0, 300)}`);
}

export interface EndToEndResult {
  scenario: string;
  orders: number;
  products: number;
  /** POST → `completed` seen by polling GET /api/v1/orders/{id} every 50 ms. */
  completed: { n: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** POST → `order.completed` webhook received. */
  webhook: { n: number; p50Ms: number; p99Ms: number; maxMs: number };
  notCompleted: number;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN);
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50Ms: Math.round(pct(s, 50)), p99Ms: Math.round(pct(s, 99)), maxMs: Math.round(s.at(-1) ?? Number.NaN) };
};

/**
 * (d) One order per second over `products` products (one product gets an order every
 * `products` seconds, under Bamboo's ~6 placements per product per minute, so that limit is not
 * what is measured); each order is polled until completed, and its webhook awaited.
 */
export async function runEndToEnd(o: {
  scenario: string;
  baseUrl: string;
  key: BenchPartner;
  products: BenchProduct[];
  orders: number;
  receiver: { arrivals: Map<string, number> };
  referencePrefix: string;
}): Promise<EndToEndResult> {
  const completedMs: number[] = [];
  const follow: Promise<void>[] = [];
  const ids: PostedOrder[] = [];
  const t0 = performance.now();
  for (let i = 0; i < o.orders; i++) {
    const wait = t0 + i * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    const posted = await postOrder(o.baseUrl, o.key, o.products[i % o.products.length]!, `${o.referencePrefix}-${i}`);
    ids.push(posted);
    follow.push(
      (async () => {
        // Ten times the p99 target: an order not completed by then is reported as not completed.
        const deadline = posted.postedAt + 20_000;
        while (performance.now() < deadline) {
          const r = await request(`${o.baseUrl}/api/v1/orders/${posted.id}`, { headers: { "x-api-key": o.key.secret } });
          const status = r.status === 200 ? (JSON.parse(r.text) as { status: string }).status : "";
          if (status === "completed") {
            completedMs.push(performance.now() - posted.postedAt);
            return;
          }
          if (status === "failed") return;
          await sleep(50);
        }
      })(),
    );
  }
  await Promise.all(follow);
  // Webhooks may trail the status by a delivery: give them a few seconds more.
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline && ids.some((p) => !o.receiver.arrivals.has(p.id))) await sleep(100);
  const webhookMs = ids.filter((p) => o.receiver.arrivals.has(p.id)).map((p) => o.receiver.arrivals.get(p.id)! - p.postedAt);
  return {
    scenario: o.scenario,
    orders: o.orders,
    products: Math.min(o.products.length, o.orders),
    completed: summary(completedMs),
    webhook: summary(webhookMs),
    notCompleted: o.orders - completedMs.length,
  };
}

/** Waits (at most `timeoutMs`) until no order is pending or processing; returns how many still are. */
/**
 * Waits until the background work is done too: no event waiting to become runs, no run due
 * (queued or running with its time come; a webhook delivery sleeping until its retry is not due).
 * Returns how many were still left at the deadline.
 */
export async function drainJobs(sql: postgres.Sql, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = (await sql`
      select (select count(*) from job_events where status = 'pending')
        + (select count(*) from job_runs where status in ('queued', 'running') and run_at <= now())::int as n`) as unknown as [{ n: number }];
    if (Number(n) === 0 || Date.now() > deadline) return Number(n);
    await sleep(500);
  }
}

export async function drainOrders(sql: postgres.Sql, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = (await sql`select count(*)::int as n from orders where status in ('pending', 'processing')`) as unknown as [{ n: number }];
    if (n === 0 || Date.now() > deadline) return n;
    await sleep(500);
  }
}

export function formatFulfilment(rows: FulfilResult[]): string {
  const header = [
    "fulfilment",
    "orders",
    "POSTs s",
    "all terminal s",
    "after last POST s",
    "completed",
    "failed",
    "open",
    "placements",
    "cards/placement",
    "place attempts",
    "get-order calls",
    "429s",
    "app ms/order",
    "pg ms/order",
    "statements/order",
    "transactions/order",
    "other cores",
  ];
  const f = (x: number | null) => (x === null ? "not yet" : x.toFixed(1));
  const body = rows.map((r) => [
    r.scenario,
    String(r.orders),
    r.postSeconds.toFixed(1),
    f(r.terminalSeconds),
    f(r.afterLastPostSeconds),
    String(r.completed),
    String(r.failed),
    String(r.open),
    String(r.vendor.placements),
    r.vendor.placements ? (r.vendor.cards / r.vendor.placements).toFixed(1) : "",
    String(r.vendor.placeAttempts),
    String(r.vendor.getOrderCalls),
    String(r.vendor.rateLimited),
    r.appMsPerOrder === null ? "" : r.appMsPerOrder.toFixed(1),
    r.postgresMsPerOrder === null ? "" : r.postgresMsPerOrder.toFixed(1),
    r.statementsPerOrder === null ? "" : r.statementsPerOrder.toFixed(1),
    r.transactionsPerOrder === null ? "" : r.transactionsPerOrder.toFixed(1),
    r.cpu ? r.cpu.other.toFixed(2) : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function formatEndToEnd(rows: EndToEndResult[]): string {
  return rows
    .map(
      (r) =>
        `${r.scenario}: ${r.orders} orders over ${r.products} products; POST → completed p50 ${r.completed.p50Ms} ms, p99 ${r.completed.p99Ms} ms, max ${r.completed.maxMs} ms (${r.completed.n} completed); ` +
        `POST → webhook p50 ${r.webhook.p50Ms} ms, p99 ${r.webhook.p99Ms} ms (${r.webhook.n} received)`,
    )
    .join("\n");
}
