import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database, type Db } from "@/server/db/client";
import { vendorCalls } from "@/server/db/schema";
import { createBambooClient, type BambooClient } from "@/server/supplier/bamboo";
import { countMockOrders, MOCK_TEST_PRODUCTS, seedMockVendor, seedSyntheticMockCatalog } from "@/server/supplier/mock";
import { acquireSlots, reserveSlot, waitForSlot } from "@/server/supplier/rate-limit";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startMockVendorServer } from "../support/mock-vendor-server";

// Two app "instances": separate connection pools on the same database, sharing nothing in memory.
let t: TestDatabase;
let other: Database;
beforeAll(async () => {
  t = await createTestDatabase();
  other = createDatabase(t.url, 5);
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

// Timestamps are taken after each sleep on the same host clock as the database: a few ms of jitter at most.
const TOLERANCE_MS = 15;

async function callsOf(kind: string, account?: string) {
  return t.db
    .select()
    .from(vendorCalls)
    .where(and(eq(vendorCalls.kind, kind), account ? eq(vendorCalls.account, account) : undefined))
    .orderBy(asc(vendorCalls.startedAt));
}

function gaps(rows: Array<{ startedAt: Date }>): number[] {
  return rows.slice(1).map((r, i) => r.startedAt.getTime() - rows[i]!.startedAt.getTime());
}

async function readAll(client: BambooClient) {
  let products = 0;
  let pages = 0;
  for await (const page of client.catalogPages()) {
    pages++;
    products += page.brands.reduce((s, b) => s + b.products.length, 0);
  }
  return { products, pages };
}

describe("the shared vendor rate limiter", () => {
  it("hands concurrent callers from two pools distinct slots, spacing apart", async () => {
    const key = `test:${randomUUID()}`;
    const slots = await Promise.all(Array.from({ length: 8 }, async (_, i) => (await reserveSlot(i % 2 ? other.db : t.db, key, 200)).slotMs));
    const sorted = [...slots].sort((a, b) => a - b);
    // Slots on the database clock: exactly the spacing apart, none shared.
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeCloseTo(200, 3);
  });

  it("lets a caller that wakes late keep its slot: one call takes one slot, not a new one at the back per late wake", async () => {
    // Every limiter statement answers 100 ms late (a busy pool or event loop): more than the
    // 50 ms margin, so each wake is "late".
    const lagging = new Proxy(t.db, {
      get(target, p, receiver) {
        if (p !== "execute") return Reflect.get(target, p, receiver);
        return async (...args: Parameters<Db["execute"]>) => {
          const r = await target.execute(...args);
          await new Promise((resolve) => setTimeout(resolve, 100));
          return r;
        };
      },
    }) as Db;
    const key = `test:${randomUUID()}`;
    const started = performance.now();
    await waitForSlot(lagging, key, 1_000);
    const took = performance.now() - started;
    const [row] = await t.sql<{ ahead_ms: number }[]>`
      select (extract(epoch from (next_at - clock_timestamp())) * 1000)::float8 as ahead_ms from vendor_rate_limits where key = ${key}`;
    // One slot reserved (next_at at most one spacing ahead), taken at once.
    expect(row!.ahead_ms).toBeLessThanOrEqual(1_050);
    expect(took).toBeLessThan(1_000);
  });

  it("keeps a deferred holder's slot: coming back finds the same slot, not one behind everyone who came meanwhile", async () => {
    const key = `test:${randomUUID()}`;
    const spacing = 1_000;
    await acquireSlots(t.db, [{ key, spacingMs: spacing }], { deadline: performance.now() + 5_000, budgetMs: 5_000 });
    // The holder's slot is about a second away; it may wait only 200 ms, so it is deferred.
    const deferred = await acquireSlots(t.db, [{ key, spacingMs: spacing }], { holder: "order-a", deadline: performance.now() + 200, budgetMs: 200 }).then(
      () => null,
      (e: unknown) => e as { name: string; waitMs: number; retryAfterMs: number },
    );
    expect(deferred?.name).toBe("SlotWaitTooLong");
    expect(deferred!.retryAfterMs).toBeGreaterThanOrEqual(deferred!.waitMs - 100);
    const [held] = await t.sql<{ slot_ms: number }[]>`
      select (extract(epoch from slot_at) * 1000)::float8 as slot_ms from vendor_rate_reservations where key = ${key} and holder = 'order-a'`;
    expect(held).toBeDefined();
    // Three others reserve behind it meanwhile.
    for (let i = 0; i < 3; i++) await reserveSlot(other.db, key, spacing);
    const again = await reserveSlot(t.db, key, spacing, { holder: "order-a" });
    expect(again.slotMs).toBeCloseTo(held!.slot_ms, 3);
    // Using the slot sends at about its time and uses the reservation up.
    const sent = await acquireSlots(t.db, [{ key, spacingMs: spacing }], { holder: "order-a", deadline: performance.now() + 5_000, budgetMs: 5_000 });
    expect(sent.getTime()).toBeGreaterThanOrEqual(held!.slot_ms - 60);
    expect(sent.getTime()).toBeLessThan(held!.slot_ms + 500);
    expect(await t.sql`select 1 from vendor_rate_reservations where key = ${key}`).toHaveLength(0);
  });

  it("lets two clients read every page of a 10,000-product catalog, never closer than the catalog spacing", async () => {
    const db = await createTestDatabase();
    const mock = await startMockVendorServer(db.db, { rateLimits: false, autoSeed: false });
    const second = createDatabase(db.url, 5);
    try {
      await seedMockVendor(db.db, { catalog: false });
      await seedSyntheticMockCatalog(db.db, { products: 10_000, productsPerBrand: 10 }); // 1,000 brands = 10 pages
      const config = mock.clientConfig({ limits: { catalogMs: 100 } });
      const [a, b] = await Promise.all([readAll(createBambooClient(db.db, config)), readAll(createBambooClient(second.db, config))]);
      expect(a).toEqual({ products: 10_000, pages: 10 });
      expect(b).toEqual({ products: 10_000, pages: 10 });
      const rows = await db.db.select().from(vendorCalls).where(eq(vendorCalls.kind, "catalog")).orderBy(asc(vendorCalls.startedAt));
      expect(rows).toHaveLength(20);
      expect(Math.min(...gaps(rows))).toBeGreaterThanOrEqual(100 - TOLERANCE_MS);
    } finally {
      await second.close();
      await mock.close();
      await db.close();
    }
  });

  it("keeps two clients to the vendor's real 1 catalog call per second, so the mock never answers 429", async () => {
    const mock = await startMockVendorServer(t.db, { autoSeed: false }); // the mock enforces 1/s (burst 2)
    try {
      await seedMockVendor(t.db, { catalog: false });
      await seedSyntheticMockCatalog(t.db, { products: 250, productsPerBrand: 1 }); // 3 pages
      const config = mock.clientConfig(); // the vendor's published limits
      const [a, b] = await Promise.all([readAll(createBambooClient(t.db, config)), readAll(createBambooClient(other.db, config))]);
      expect(a.pages).toBe(3);
      expect(b.pages).toBe(3);
      const rows = await callsOf("catalog", createBambooClient(t.db, config).account);
      expect(rows.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(Math.min(...gaps(rows))).toBeGreaterThanOrEqual(1000 - TOLERANCE_MS);
    } finally {
      await mock.close();
    }
  });

  it("spaces placements from two concurrent clients at least 500 ms apart", async () => {
    const mock = await startMockVendorServer(t.db, { fulfilMs: 0 }); // the mock enforces 2/s (burst 3)
    try {
      const config = mock.clientConfig();
      const one = createBambooClient(t.db, config);
      const two = createBambooClient(other.db, config);
      const ids = Array.from({ length: 6 }, () => randomUUID());
      const outcomes = await Promise.all(
        ids.map((requestId, i) => (i % 2 ? two : one).placeOrder({ requestId, productId: MOCK_TEST_PRODUCTS.USD.ranged, quantity: 1, faceValue: "10" })),
      );
      expect(outcomes.every((o) => o.status === "placed" && !o.alreadyExisted)).toBe(true);
      const rows = await t.db.select().from(vendorCalls).where(inArray(vendorCalls.requestId, ids)).orderBy(asc(vendorCalls.startedAt));
      expect(rows.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(Math.min(...gaps(rows))).toBeGreaterThanOrEqual(500 - TOLERANCE_MS);
      expect(await countMockOrders(t.db)).toBeGreaterThanOrEqual(6);
    } finally {
      await mock.close();
    }
  });

  it("makes every instance wait after one of them is told to by a 429", async () => {
    const mock = await startMockVendorServer(t.db, { fulfilMs: 0 });
    try {
      const config = mock.clientConfig();
      const stormId = randomUUID();
      const calmId = randomUUID();
      const stormy = createBambooClient(t.db, config).placeOrder({
        requestId: stormId,
        productId: MOCK_TEST_PRODUCTS.USD.ranged,
        quantity: 1,
        faceValue: "10.29",
      });
      // Wait until the first 429 is recorded (and the shared slot pushed back), then start the other instance.
      let first;
      while (!(first = (await t.db.select().from(vendorCalls).where(eq(vendorCalls.requestId, stormId)))[0])) await new Promise((r) => setTimeout(r, 10));
      const calm = await createBambooClient(other.db, config).placeOrder({
        requestId: calmId,
        productId: MOCK_TEST_PRODUCTS.USD.ranged,
        quantity: 1,
        faceValue: "10",
      });
      expect(calm.status).toBe("placed");
      expect((await stormy).status).toBe("placed");
      expect(first.status).toBe(429);
      const [calmCall] = await t.db.select().from(vendorCalls).where(eq(vendorCalls.requestId, calmId));
      const waited = calmCall!.startedAt.getTime() - (first.startedAt.getTime() + first.durationMs);
      expect(waited).toBeGreaterThanOrEqual(1000 - TOLERANCE_MS);
    } finally {
      await mock.close();
    }
  });
});
