import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, vendorBatches, vendorCalls } from "@/server/db/schema";
import { fulfilOrder, placeVendorBatch } from "@/server/jobs/functions/orders";
import { supplierPoll, supplierPollTick } from "@/server/jobs/functions/polling";
import { checkInvariants } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * With the shared poller on and no notifications (the default), a placed batch wakes the poller
 * itself: at fulfilment time 0 the first get-order, made at once, finds it delivered.
 */
let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(16);
  engine = await startOrderEngine(t, { mock: { fulfilMs: 0 }, batchWindowMs: 200, functions: [fulfilOrder, placeVendorBatch, supplierPoll, supplierPollTick] });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

describe("the shared poller woken by a placement", () => {
  it("completes the batch's orders with one get-order, right after the placement", async () => {
    const partnerId = await engine.sandboxPartner();
    const sent = Date.now();
    const created = await Promise.all(
      [1, 2, 3, 4].map(
        async (i) =>
          (
            await createOrder(t.db, {
              partnerId,
              environment: "sandbox",
              sku: RANGED_USD,
              faceValue: "6",
              quantity: i,
              referenceId: `wake-${i}`,
              actor: "test",
            })
          ).order,
      ),
    );
    const ids = created.map((o) => o.id);
    const done = await waitFor(
      "the orders to complete",
      async () => {
        const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
        return rows.every((o) => o.status === "completed") ? rows : null;
      },
      10_000,
    );
    const elapsed = Date.now() - sent;
    const batchIds = [...new Set(done.map((o) => o.batchId!))];
    const batches = await t.db.select().from(vendorBatches).where(inArray(vendorBatches.id, batchIds));
    for (const b of batches) {
      expect(b.status).toBe("settled");
      const gets = await t.db
        .select()
        .from(vendorCalls)
        .where(and(eq(vendorCalls.requestId, b.vendorRequestId), eq(vendorCalls.kind, "get_order")));
      expect(gets).toHaveLength(1);
    }
    // Far inside the poll schedule's first second and the minute's tick: the placement woke the poller.
    expect(elapsed).toBeLessThan(5_000);
    expect((await checkInvariants(t.db)).ok).toBe(true);
    for (const b of batches)
      console.log(
        "[timeline]",
        b.createdAt.getTime() - sent,
        b.closedAt!.getTime() - sent,
        b.placedAt!.getTime() - sent,
        b.lastPolledAt!.getTime() - sent,
        b.finishedAt!.getTime() - sent,
      );
    console.log(`[poller] ${ids.length} orders in ${batches.length} batch(es) completed ${elapsed} ms after they were created`);
  });
});
