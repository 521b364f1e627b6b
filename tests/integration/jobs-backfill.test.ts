import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "@/server/db/schema";
import { placementRequestId } from "@/server/orders/batch";
import { createOrder } from "@/server/orders/create";
import { redriveStuckOrders } from "@/server/orders/maintenance";
import { countMockOrders } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * The backfill re-drives a stuck order once: never while its fulfil run is queued, running or
 * sleeping (or its order/created event still waits in the outbox), so no second run queues
 * behind the first (issue 12 §1, head-of-line blocking).
 */

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase();
  engine = await startOrderEngine(t);
  await engine.stopWorker();
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const STALE = { staleAfterMs: 30 * 60_000 };
const age = (orderId: string) => t.sql`update orders set updated_at = now() - interval '1 hour' where id = ${orderId}`;
const eventsOf = async (orderId: string) =>
  (await t.sql<{ n: number }[]>`select count(*)::int as n from job_events where name = 'order/created' and data->>'orderId' = ${orderId}`)[0]!.n;

describe("backfill", () => {
  it("leaves an order alone while its fulfil run is open or its event pending, and re-drives it once when not", async () => {
    const partnerId = await engine.sandboxPartner();
    const { order } = await createOrder(t.db, {
      partnerId,
      environment: "sandbox",
      sku: RANGED_USD,
      faceValue: "25.00",
      quantity: 1,
      referenceId: "bf-1",
      actor: "test",
    });
    await age(order.id);
    // Its order/created event still waits in the outbox (no worker): not re-driven.
    expect(await redriveStuckOrders(t.db, STALE)).toEqual([]);

    // The event became a run; the run is queued, then running, then sleeping: not re-driven.
    await t.sql`update job_events set status = 'dispatched' where data->>'orderId' = ${order.id}`;
    await t.sql`
      insert into job_runs (id, function_id, event, concurrency_limit, concurrency_key, status)
      values ('run_bf_1', 'steller-order-fulfil', ${JSON.stringify({ name: "order/created", data: { orderId: order.id } })}::jsonb, 1, ${order.id}, 'queued')`;
    for (const status of ["queued", "running", "sleeping"]) {
      await t.sql`update job_runs set status = ${status} where id = 'run_bf_1'`;
      await age(order.id);
      expect(await redriveStuckOrders(t.db, STALE), status).toEqual([]);
    }

    // The run ended (here: failed) and the order is still open: re-driven, once.
    await t.sql`update job_runs set status = 'failed', finished_at = now() where id = 'run_bf_1'`;
    await age(order.id);
    expect(await redriveStuckOrders(t.db, STALE)).toEqual([order.id]);
    await age(order.id);
    expect(await redriveStuckOrders(t.db, STALE)).toEqual([]);
    expect(await eventsOf(order.id)).toBe(2);

    await engine.startWorker();
    const done = await waitFor(
      "the re-driven order to finish",
      async () => {
        const [o] = await t.db.select().from(orders).where(eq(orders.id, order.id));
        return o && (o.status === "completed" || o.status === "failed") ? o : null;
      },
      20_000,
    );
    expect(done.status).toBe("completed");
    expect(await countMockOrders(t.db, (await placementRequestId(t.db, order.id))!)).toBe(1); // its vendor batch, bought once
    const [runs] = await t.sql<
      { n: number }[]
    >`select count(*)::int as n from job_runs where function_id = 'steller-order-fulfil' and concurrency_key = ${order.id}`;
    expect(runs!.n).toBe(2); // the failed one and the one re-drive
  });
});
