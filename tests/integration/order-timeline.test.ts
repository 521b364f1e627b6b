import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, vendorBatches, vendorCalls } from "@/server/db/schema";
import { createOrder } from "@/server/orders/create";
import { getOrderTimeline } from "@/server/orders/timeline";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * The order timeline of batched orders (issue 13): a vendor batch's calls are logged once, under
 * the batch (its id in the order-id column, its request id), yet each member order's timeline
 * shows every one of them, masked (no request id, vendor order id or batch id), and nothing of
 * another partner's order in the same batch.
 */

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase();
  engine = await startOrderEngine(t, { mock: { fulfilMs: 200 }, batchWindowMs: 300 });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

describe("order timeline of batched orders", () => {
  it("shows each member the batch's vendor calls, masked, and nothing of the other member", async () => {
    const partners = [await engine.sandboxPartner("Timeline A"), await engine.sandboxPartner("Timeline B")];
    // Both wait in the pool before any worker runs: the batch that closes carries both.
    const ids: string[] = [];
    for (const [i, partnerId] of partners.entries()) {
      const { order } = await createOrder(t.db, {
        partnerId,
        environment: "sandbox",
        sku: RANGED_USD,
        faceValue: "12.00",
        quantity: 1 + i,
        referenceId: `timeline-${i}`,
        actor: "test",
      });
      ids.push(order.id);
    }
    await engine.startWorker();
    const done = await waitFor("both orders completed", async () => {
      const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
      return rows.every((o) => o.status === "completed") ? rows : null;
    });
    const batchId = done[0]!.batchId!;
    expect(batchId).toBeTruthy();
    expect(done.map((o) => o.batchId)).toEqual([batchId, batchId]);
    const [batch] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, batchId));
    expect(batch!.members).toBe(2);

    // What the vendor log holds for the batch: its placement and its get-order calls, under the batch.
    const logged = await t.db.select().from(vendorCalls).where(eq(vendorCalls.requestId, batch!.vendorRequestId));
    expect(logged.map((c) => c.kind)).toContain("place_order");
    expect(logged.map((c) => c.kind)).toContain("get_order");
    expect(new Set(logged.map((c) => c.orderId))).toEqual(new Set([batchId]));

    for (const [i, orderId] of ids.entries()) {
      const events = await getOrderTimeline(t.db, { partnerId: partners[i]!, environment: "sandbox", orderId });
      expect(events).not.toBeNull();
      const calls = events!.filter((e) => e.kind === "supplier_call");
      // Every call of the batch, once, oldest first.
      expect(calls).toHaveLength(logged.length);
      expect(calls.filter((c) => c.title === "Supplier: place order")).toHaveLength(logged.filter((c) => c.kind === "place_order").length);
      expect(calls.filter((c) => c.title === "Supplier: order status asked")).toHaveLength(logged.filter((c) => c.kind === "get_order").length);
      expect(calls.map((c) => c.at)).toEqual(calls.map((c) => c.at).sort());
      // Masked: nothing that names the vendor's order, our request id, the batch or the other member.
      const text = JSON.stringify(events);
      for (const secret of [batch!.vendorRequestId, batch!.vendorOrderId, batchId, ids[1 - i]!]) expect(text).not.toContain(secret);
    }

    // Another partner asking about this order learns nothing.
    expect(await getOrderTimeline(t.db, { partnerId: partners[1]!, environment: "sandbox", orderId: ids[0]! })).toBeNull();
  }, 60_000);
});
