import { asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "@/server/db/schema";
import { checkInvariants } from "@/server/ledger";
import { batchOf } from "@/server/orders/batch";
import { createOrder, type Order } from "@/server/orders/create";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { FIXED_25_USD, RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * Placement slots per product (issue 13 §1, §3) with the mock enforcing a per-product limit and
 * our client spacing placements to it: many orders of one product go in few placements, a slot is
 * used as soon as it opens while work waits, an order arriving while a batch waits for its slot
 * joins it, and another product never waits for this one's slot.
 */

const SPACING_MS = 3_000;

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(20);
  engine = await startOrderEngine(t, {
    // 20 placements a minute per product at the mock (one every 3 s, burst 2); our client spaces them 3 s apart.
    mock: { fulfilMs: 0 },
    productSpacingMs: SPACING_MS,
    batchWindowMs: 200,
  });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

let refSeq = 0;
async function order(partnerId: string, over: { sku?: string; faceValue?: string; quantity?: number } = {}): Promise<Order> {
  const { order } = await createOrder(t.db, {
    partnerId,
    environment: "sandbox",
    sku: over.sku ?? RANGED_USD,
    faceValue: over.faceValue ?? "1.00",
    quantity: over.quantity ?? 1,
    referenceId: `slot-${++refSeq}`,
    actor: "test",
  });
  return order;
}

async function settledAll(ids: string[], timeoutMs = 30_000) {
  return waitFor(
    `${ids.length} orders to finish`,
    async () => {
      const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
      return rows.every((o) => o.status === "completed" || o.status === "failed") ? rows : null;
    },
    timeoutMs,
  );
}

/** Successful placements (our side's send time), oldest first. */
async function placements() {
  return t.sql<{ request_id: string; at: Date | string; status: number }[]>`
    select request_id, started_at as at, status from vendor_calls where kind = 'place_order' order by started_at`;
}

describe("placement slots per product", () => {
  it("600 cards of one product from three partners: two placements, the second as soon as the product's slot opens, no 429", async () => {
    const partners = [await engine.sandboxPartner("P1"), await engine.sandboxPartner("P2"), await engine.sandboxPartner("P3")];
    // All at once: made while the worker is stopped (making them one by one here takes longer than the window).
    await engine.stopWorker();
    const made: Order[] = [];
    for (let i = 0; i < 12; i++) made.push(await order(partners[i % 3]!, { quantity: 50 }));
    await engine.startWorker();
    const ids = made.map((o) => o.id);
    const done = await settledAll(ids);
    expect(done.every((o) => o.status === "completed")).toBe(true);

    const calls = await placements();
    expect(calls.every((c) => c.status === 200)).toBe(true); // never refused by the vendor's per-product limit
    expect(calls).toHaveLength(2);
    const batches = await Promise.all(ids.map((id) => batchOf(t.db, id)));
    expect(new Set(batches.map((b) => b!.id)).size).toBe(2);
    expect(batches.map((b) => b!.quantity)).toContain(500);
    const gap = new Date(calls[1]!.at).getTime() - new Date(calls[0]!.at).getTime();
    expect(gap).toBeGreaterThanOrEqual(SPACING_MS);
    expect(gap).toBeLessThan(SPACING_MS + 1_500); // the waiting work took the slot when it opened
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });

  it("orders arriving while a batch waits for its product's slot join it; another product does not wait", async () => {
    const p = await engine.sandboxPartner("Joiner");
    const lead = await order(p, { faceValue: "2.00" });
    await waitFor("the lead order's placement", async () => (await t.sql`select 1 from orders where id = ${lead.id} and placed_at is not null`).length > 0);
    // The product's next slot is ~3 s away: these two arrive a second apart and share one placement.
    const x = await order(p, { faceValue: "2.00" });
    await new Promise((r) => setTimeout(r, 1_000));
    const y = await order(p, { faceValue: "2.00", quantity: 2 });
    // Another product meanwhile is placed at once.
    const started = Date.now();
    const other = await order(p, { sku: FIXED_25_USD, faceValue: "25.00" });
    await settledAll([other.id]);
    expect(Date.now() - started).toBeLessThan(SPACING_MS - 500);
    await settledAll([x.id, y.id]);
    const [bx, by] = [await batchOf(t.db, x.id), await batchOf(t.db, y.id)];
    expect(bx!.id).toBe(by!.id);
    expect(bx).toMatchObject({ members: 2, quantity: 3, status: "settled" });
    const members = await t.db.select({ id: orders.id }).from(orders).where(eq(orders.batchId, bx!.id)).orderBy(asc(orders.createdAt));
    expect(members.map((m) => m.id)).toEqual([x.id, y.id]);
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });
});
