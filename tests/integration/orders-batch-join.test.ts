import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobEvents, orders, vendorBatches } from "@/server/db/schema";
import { checkInvariants } from "@/server/ledger";
import { batchOf } from "@/server/orders/batch";
import { newOpenBatch } from "@/server/orders/batch-open";
import type { Order } from "@/server/orders/create";
import { enqueueEvent } from "@/server/outbox";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * An order made by the app's callers (`createOrder(db, input, services.orders)`) joins or opens its
 * vendor batch in the statement that creates it (issue 13 §3: a burst of one product's order runs
 * no longer stands in the executor's queue ahead of another product's first placement). Against
 * the mock vendor over HTTP and a real PostgreSQL.
 */

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(20);
  engine = await startOrderEngine(t, { mock: { fulfilMs: 100 }, batchWindowMs: 300 });
  order = engine.orderMaker("join", { join: true });
  await engine.stopWorker();
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

let order: ReturnType<OrderEngine["orderMaker"]>;

const openBatches = (faceValue: string) =>
  t.db
    .select()
    .from(vendorBatches)
    .where(and(eq(vendorBatches.status, "open"), sql`${vendorBatches.faceValue} = ${faceValue}::numeric`));

const eventsOf = (name: string, field: string, ids: string[]) =>
  t.db
    .select({ key: jobEvents.key })
    .from(jobEvents)
    .where(and(eq(jobEvents.name, name), inArray(sql`${jobEvents.data}->>${field}`, ids)));

async function finished(ids: string[]) {
  return waitFor(
    `orders ${ids.join(", ")} to finish`,
    async () => {
      const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
      return rows.length === ids.length && rows.every((o) => o.status === "completed" || o.status === "failed") ? rows : null;
    },
    20_000,
  );
}

async function chargedOnce(ids: string[]) {
  for (const id of ids) {
    const debits = await t.sql`select 1 from ledger_transfers where reference = ${id} and kind = 'order_debit'`;
    expect(debits, id).toHaveLength(1);
  }
  expect((await checkInvariants(t.db)).ok).toBe(true);
}

describe("an order joins its vendor batch in the statement that creates it", () => {
  it("the first order opens the batch (with its event), the next ones join it, and none needs a run of its own", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    const made = [await order(a, "7.10", 2), await order(b, "7.10", 1), await order(a, "7.10", 3)];
    const ids = made.map((o) => o.id);
    const open = await openBatches("7.10");
    expect(open).toHaveLength(1);
    expect(await eventsOf("order/batch.ready", "batchId", [open[0]!.id])).toEqual([{ key: `batch-ready:${open[0]!.id}` }]);
    expect(await eventsOf("order/created", "orderId", ids)).toEqual([]);
    // In the pool until the batch closes.
    expect(made.every((o) => o.status === "pending" && o.batchId === null)).toBe(true);

    await engine.startWorker();
    try {
      const done = await finished(ids);
      expect(done.every((o) => o.status === "completed")).toBe(true);
      for (const id of ids) expect((await batchOf(t.db, id))?.id).toBe(open[0]!.id);
      const [batch] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, open[0]!.id));
      expect(batch).toMatchObject({ status: "settled", members: 3, quantity: 6 });
      await chargedOnce(ids);
    } finally {
      await engine.stopWorker();
    }
  });

  it("a refused order (insufficient funds) opens no batch and writes no event", async () => {
    const p = await engine.sandboxPartner("Poor");
    await expect(order(p, "900.00", 500)).rejects.toMatchObject({ code: "insufficient_funds" });
    expect(await openBatches("900.00")).toEqual([]);
    expect(await t.db.select().from(jobEvents).where(eq(jobEvents.name, "order/batch.ready"))).toHaveLength(1);
  });

  it("an order arriving while its batch closes does not wait for the close: its own run opens the next batch", async () => {
    const p = await engine.sandboxPartner("Closing");
    const first = await order(p, "7.20");
    const [x] = await openBatches("7.20");
    // Another worker is closing batch x: it holds it locked and takes the orders it can see.
    const closer = await t.sql.reserve();
    let late: Order | undefined;
    try {
      await closer`begin`;
      await closer`select id from vendor_batches where id = ${x!.id} for update`;
      const answer = order(p, "7.20");
      const settled = await Promise.race([answer.then(() => "returned"), new Promise((r) => setTimeout(() => r("waiting"), 2_000))]);
      expect(settled).toBe("returned");
      late = await answer;
      // Neither in the closing batch nor in a new one beside it (x is still open for this order's
      // statement): its own run covers it.
      expect(late).toMatchObject({ status: "pending", batchId: null });
      expect((await openBatches("7.20")).map((b) => b.id)).toEqual([x!.id]);
      expect(await eventsOf("order/created", "orderId", [first.id, late.id])).toEqual([{ key: `order-created:${late.id}` }]);
      await closer`update orders set batch_id = ${x!.id} where id = ${first.id}`;
      await closer`update vendor_batches set status = 'placing', members = 1, quantity = 1, closed_at = now() where id = ${x!.id}`;
      await closer`commit`;
    } finally {
      closer.release();
    }
    expect(await openBatches("7.20")).toEqual([]);

    await engine.startWorker();
    try {
      const done = await finished([first.id, late.id]);
      expect(done.every((o) => o.status === "completed")).toBe(true);
      expect((await batchOf(t.db, first.id))?.id).toBe(x!.id);
      const y = await batchOf(t.db, late.id);
      expect(y?.id).toBeDefined();
      expect(y!.id).not.toBe(x!.id);
      await chargedOnce([first.id, late.id]);
    } finally {
      await engine.stopWorker();
    }
  });

  it("a batch opened by a concurrent statement it cannot see yet: the order falls back to its own run, which joins that batch", async () => {
    const p = await engine.sandboxPartner("Race");
    const [product] = await t.sql<{ id: string; vendor_product_id: string }[]>`select id, vendor_product_id from catalog_products where sku = ${RANGED_USD}`;
    const key = {
      environment: "sandbox" as const,
      account: engine.services.orders.vendorFor("sandbox").account,
      productId: product!.id,
      vendorProductId: product!.vendor_product_id,
      faceValue: "7.30",
      faceCurrency: "USD",
    };
    const other = newOpenBatch(key, 300);
    let inserted!: () => void;
    let release!: () => void;
    const insertedP = new Promise<void>((r) => {
      inserted = r;
    });
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const side = t.db.transaction(async (tx) => {
      await tx.execute(other.insert);
      await enqueueEvent(tx, other.ready);
      inserted();
      await gate;
    });
    await insertedP;
    const creating = order(p, "7.30");
    await new Promise((r) => setTimeout(r, 300));
    release();
    await side;
    const made = await creating;
    expect(await eventsOf("order/created", "orderId", [made.id])).toEqual([{ key: `order-created:${made.id}` }]);
    expect((await openBatches("7.30")).map((b) => b.id)).toEqual([other.id]);

    await engine.startWorker();
    try {
      const [done] = await finished([made.id]);
      expect(done?.status).toBe("completed");
      expect((await batchOf(t.db, made.id))?.id).toBe(other.id);
      await chargedOnce([made.id]);
    } finally {
      await engine.stopWorker();
    }
  });
});
