import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCatalog } from "@/server/catalog/sync";
import { checkInvariants } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { createBambooClient } from "@/server/supplier/bamboo";
import { seedSyntheticMockCatalog } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(20);
  const fast = { perSecond: 1000, burst: 1000 };
  engine = await startOrderEngine(t, {
    limits: { placeOrderMs: 5, getOrderMs: 2 },
    // Slow enough that orders are still open when the worker stops, however late a loaded machine
    // gets there (.77 takes five times as long: 10 s); at 400 ms, a CI run once found all 30 done.
    mock: { fulfilMs: 2_000, rateLimits: { catalog: fast, accounts: fast, place_order: fast, get_order: fast } },
  });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

describe("order engine restart", () => {
  it("finishes every order after the executor stops mid-run and starts again, buying each once", async () => {
    const partnerId = await engine.sandboxPartner();
    // .77 is the mock's slow path: runs spend seconds sleeping between polls.
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        createOrder(t.db, {
          partnerId,
          environment: "sandbox",
          sku: RANGED_USD,
          faceValue: i % 2 ? "3.77" : "3.00",
          quantity: 1,
          referenceId: `restart-${i}`,
          actor: "test",
        }),
      ),
    );
    await waitFor("some orders to be with the vendor", async () => {
      const [{ n }] = (await t.sql`select count(*)::int as n from orders where status = 'processing'`) as unknown as [{ n: number }];
      return n >= 5;
    });
    await engine.stopWorker();
    const [{ open }] = (await t.sql`select count(*)::int as open from orders where status in ('pending','processing')`) as unknown as [{ open: number }];
    expect(open).toBeGreaterThan(0);
    const stepsBefore = await t.sql<{ run_id: string; step_id: string; finished_at: Date; attempts: number }[]>`
      select run_id, step_id, finished_at, attempts from job_steps where status = 'completed'`;
    expect(stepsBefore.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    await engine.startWorker();

    await waitFor(
      "every order to finish",
      async () => {
        const [{ n }] = (await t.sql`select count(*)::int as n from orders where status in ('pending','processing')`) as unknown as [{ n: number }];
        return n === 0;
      },
      60_000,
      200,
    );
    const statuses = await t.sql<{ status: string }[]>`select status::text from orders`;
    expect(statuses.every((s) => s.status === "completed")).toBe(true);
    expect(statuses).toHaveLength(created.length);
    // Bought once per vendor batch (each carries orders of one face value), and every order in one that was bought once.
    const [{ bought }] = (await t.sql`select count(*)::int as bought from mock_vendor_orders`) as unknown as [{ bought: number }];
    const [{ batches }] = (await t.sql`select count(distinct batch_id)::int as batches from orders`) as unknown as [{ batches: number }];
    expect(bought).toBe(batches);
    const [{ notOnce }] = (await t.sql`
      select count(*)::int as "notOnce" from orders o left join vendor_batches b on b.id = o.batch_id
      where (select count(*) from mock_vendor_orders m where m.request_id = b.vendor_request_id) <> 1`) as unknown as [{ notOnce: number }];
    expect(notOnce).toBe(0);
    const debits = await t.sql`select reference from ledger_transfers where kind = 'order_debit' group by reference having count(*) > 1`;
    expect(debits).toHaveLength(0);
    // No step that had finished before the stop ran again: its record is untouched…
    const after = await t.sql<{ run_id: string; step_id: string; finished_at: Date; attempts: number }[]>`
      select run_id, step_id, finished_at, attempts from job_steps where status = 'completed'`;
    const byKey = new Map(after.map((s) => [`${s.run_id}/${s.step_id}`, s]));
    for (const s of stepsBefore) {
      const now = byKey.get(`${s.run_id}/${s.step_id}`);
      expect(String(now?.finished_at)).toBe(String(s.finished_at));
      expect(now?.attempts).toBe(s.attempts);
    }
    // …and no order was placed with the vendor more than once.
    const replaced = await t.sql`select request_id from mock_vendor_checkout_attempts group by request_id having count(*) > 1`;
    expect(replaced).toHaveLength(0);
    expect((await checkInvariants(t.db)).ok).toBe(true);
  }, 120_000);
});

describe("catalog sync", () => {
  it("syncs a 10,000-product catalog at one request per second and deactivates vanished products", async () => {
    await t.sql`delete from mock_vendor_products`;
    await t.sql`delete from mock_vendor_brands`;
    await seedSyntheticMockCatalog(t.db, { products: 10_000, productsPerBrand: 10 });
    const client = createBambooClient(t.db, engine.vendor.clientConfig({ limits: { catalogMs: 1_000 } }));
    const started = Date.now();
    const result = await syncCatalog(t.db, client.catalogPages());
    const elapsed = Date.now() - started;
    expect(result.products).toBe(10_000);
    expect(result.pages).toBe(10);
    // Ten pages, spaced at least a second apart by the shared limiter.
    expect(elapsed).toBeGreaterThanOrEqual(9 * 1_000 - 100);
    const calls = await t.sql<{ started_at: Date }[]>`select started_at from vendor_calls where kind = 'catalog' order by started_at desc limit 10`;
    const times = calls.map((c) => new Date(c.started_at).getTime()).reverse();
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(950);
    // The default mock catalog's products vanished from the vendor: deactivated, not deleted.
    const [{ inactive }] = (await t.sql`select count(*)::int as inactive from catalog_products where not active`) as unknown as [{ inactive: number }];
    expect(inactive).toBe(result.deactivated);
    expect(inactive).toBeGreaterThan(0);
    const [{ active }] = (await t.sql`select count(*)::int as active from catalog_products where active`) as unknown as [{ active: number }];
    expect(active).toBe(10_000);
  }, 60_000);
});
