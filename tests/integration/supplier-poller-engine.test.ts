import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, supplierNotifications, vendorBatches, vendorCalls } from "@/server/db/schema";
import { fulfilOrder, placeVendorBatch } from "@/server/jobs/functions/orders";
import { supplierPoll, supplierPollTick } from "@/server/jobs/functions/polling";
import { checkInvariants } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { bambooNotificationHandler } from "@/server/orders/poller-hints";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { serveFetchHandler, type ServedHandler } from "../support/mock-vendor-server";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * The whole loop with the embedded executor: orders → a vendor batch placed at the mock (section
 * A's functions) → the mock finishes it and POSTs its signed notification to our endpoint → the
 * hint wakes the shared poller (supplier-poll function) → one get-order for the batch settles every
 * member. With the shared poller on, the batch's own run stops after placement.
 */
const SECRET = "notification-secret-for-tests-0123456789";
let t: TestDatabase;
let engine: OrderEngine;
let app: ServedHandler;

beforeAll(async () => {
  t = await createTestDatabase(16);
  app = await serveFetchHandler(
    bambooNotificationHandler(
      () => t.db,
      () => SECRET,
    ),
  );
  engine = await startOrderEngine(t, {
    mock: { fulfilMs: 300, notify: { url: `${app.origin}/api/supplier/bamboo/notifications`, secret: SECRET } },
    batchWindowMs: 300,
    functions: [fulfilOrder, placeVendorBatch, supplierPoll, supplierPollTick],
  });
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await t?.close();
});

describe("the shared poller in the embedded executor", () => {
  it("completes a batch's orders from the mock's notification: one get-order for every member, money moved once", async () => {
    const partnerId = await engine.sandboxPartner();
    const created = await Promise.all(
      [1, 2, 3].map(
        async (i) =>
          (
            await createOrder(t.db, {
              partnerId,
              environment: "sandbox",
              sku: RANGED_USD,
              faceValue: "5",
              quantity: i,
              referenceId: `poller-${i}`,
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
      20_000,
    );
    const batchIds = [...new Set(done.map((o) => o.batchId))];
    expect(batchIds).toHaveLength(1);
    const [batch] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, batchIds[0]!));
    expect(batch!.status).toBe("settled");
    expect(batch!.quantity).toBe(6);
    // The mock's notification arrived, verified, and was acted upon.
    const [hint] = await t.db.select().from(supplierNotifications).where(eq(supplierNotifications.requestId, batch!.vendorRequestId));
    expect(hint?.handledAt).not.toBeNull();
    // Polled for the whole batch: one get-order settled it (a second if a poll at placement came before the vendor finished).
    const gets = await t.db
      .select()
      .from(vendorCalls)
      .where(and(eq(vendorCalls.requestId, batch!.vendorRequestId), eq(vendorCalls.kind, "get_order")));
    expect(gets.length).toBeGreaterThanOrEqual(1);
    expect(gets.length).toBeLessThanOrEqual(2);
    expect((await checkInvariants(t.db)).ok).toBe(true);
    // The lane's lease was let go; nothing is left polling.
    const lanes = await t.sql<{ holder: string | null }[]>`select holder from supplier_pollers`;
    await waitFor(
      "the poller to let go of the lane",
      async () => (await t.sql<{ holder: string | null }[]>`select holder from supplier_pollers`).every((l) => l.holder === null),
      5_000,
    );
    expect(lanes.length).toBeGreaterThan(0);
  });
});
