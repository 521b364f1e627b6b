import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "@/lib/crypto";
import { createDatabase, type Database } from "@/server/db/client";
import { orderCards, orders, vendorBatches } from "@/server/db/schema";
import { checkInvariants } from "@/server/ledger";
import { batchOf, cancelBeforePlacement, closeBatch, placeBatch, pollBatch, queueOrder } from "@/server/orders/batch";
import { failOrder } from "@/server/orders/fulfil";
import { redriveStuckOrders } from "@/server/orders/maintenance";
import type { OrderRuntime } from "@/server/orders/runtime";
import { createBambooClient } from "@/server/supplier/bamboo";
import { countMockCheckoutAttempts, countMockOrders, mockCard } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startOrderEngine, TEST_KEY, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * Batched placement (issue 13 §1, §3) against the mock vendor over HTTP and a real PostgreSQL:
 * every outcome of a vendor batch, each ending with a clean ledger and every member order
 * charged once and refunded at most once.
 */

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(20);
  // A window long enough that orders created back to back share a batch.
  engine = await startOrderEngine(t, { mock: { fulfilMs: 300 }, batchWindowMs: 300 });
  order = engine.orderMaker("batch");
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

let order: ReturnType<OrderEngine["orderMaker"]>;

const reload = async (id: string) => (await t.db.select().from(orders).where(eq(orders.id, id)))[0]!;

async function settledAll(ids: string[], timeoutMs = 20_000) {
  return waitFor(
    `orders ${ids.join(", ")} to finish`,
    async () => {
      const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
      return rows.length === ids.length && rows.every((o) => o.status === "completed" || o.status === "failed") ? rows : null;
    },
    timeoutMs,
  );
}

/** Every member charged once, refunded at most once (and by what it says), and the ledger clean. */
async function moneyOnce(ids: string[]) {
  for (const id of ids) {
    const o = await reload(id);
    const transfers = await t.sql<{ kind: string; amount: string }[]>`
      select kind::text, amount::text from ledger_transfers where reference = ${id} order by created_at`;
    expect(
      transfers.filter((x) => x.kind === "order_debit"),
      id,
    ).toEqual([{ kind: "order_debit", amount: o.totalPrice }]);
    const refunds = transfers.filter((x) => x.kind === "order_refund");
    expect(refunds.length, id).toBeLessThanOrEqual(1);
    expect(refunds[0]?.amount ?? "0.0000", id).toBe(o.refundedAmount);
  }
  expect((await checkInvariants(t.db)).ok).toBe(true);
}

/** Members in the order their cards are assigned: oldest first. */
async function membersOf(batchId: string) {
  return t.db.select().from(orders).where(eq(orders.batchId, batchId)).orderBy(asc(orders.createdAt), asc(orders.id));
}

async function cardsOf(orderId: string) {
  return t.db.select().from(orderCards).where(eq(orderCards.orderId, orderId)).orderBy(asc(orderCards.position));
}

/** Orders made while the worker is stopped all wait in the pool, so the first batch carries them all. */
async function withWorkerStopped<T>(make: () => Promise<T>): Promise<T> {
  await engine.stopWorker();
  try {
    return await make();
  } finally {
    await engine.startWorker();
  }
}

describe("vendor batches: outcomes", () => {
  it("success: one vendor order carries every member; cards go oldest member first, exactly once", async () => {
    const [a, b, c] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B"), await engine.sandboxPartner("C")];
    const made = await withWorkerStopped(async () => [
      await order(a, "5.00", 2),
      await order(b, "5.00", 1),
      await order(c, "5.00", 3),
      await order(a, "5.00", 1),
    ]);
    const ids = made.map((o) => o.id);
    const done = await settledAll(ids);
    expect(done.every((o) => o.status === "completed")).toBe(true);

    const batch = (await batchOf(t.db, ids[0]!))!;
    expect(batch).toMatchObject({ status: "settled", members: 4, quantity: 7 });
    for (const id of ids) expect((await batchOf(t.db, id))!.id).toBe(batch.id);
    // One vendor order for the four, placed once.
    expect(await countMockOrders(t.db, batch.vendorRequestId)).toBe(1);
    expect(await countMockCheckoutAttempts(t.db, batch.vendorRequestId)).toBe(1);

    // Oldest first: each member's cards are the next ones of the vendor's answer.
    const members = await membersOf(batch.id);
    expect(members.map((m) => m.id)).toEqual(ids);
    let offset = 0;
    for (const m of members) {
      const cards = await cardsOf(m.id);
      expect(m.cardsDelivered).toBe(m.quantity);
      expect(cards.map((c) => c.batchPosition)).toEqual(Array.from({ length: m.quantity }, (_, i) => offset + i));
      for (const c of cards) expect(decryptSecret(c.codeEncrypted, TEST_KEY)).toBe(mockCard(batch.vendorRequestId, c.batchPosition!).code);
      offset += m.quantity;
    }
    const [{ n }] = (await t.sql`select count(*)::int as n from order_cards where batch_id = ${batch.id}`) as unknown as [{ n: number }];
    expect(n).toBe(7);
    const events = await t.sql<{ key: string }[]>`select key from job_events where name = 'order/completed' and data->>'orderId' in ${t.sql(ids)}`;
    expect(events.map((e) => e.key).sort()).toEqual(ids.map((id) => `order-completed:${id}`).sort());
    await moneyOnce(ids);
  });

  it("PartialFailed: members completed in order while cards last; the rest partly completed or failed, refunded once each", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    // .50: the mock delivers half of the batch's 6 cards.
    const made = await withWorkerStopped(async () => [await order(a, "5.50", 2), await order(b, "5.50", 3), await order(a, "5.50", 1)]);
    const [first, second, third] = made.map((o) => o.id) as [string, string, string];
    await settledAll([first, second, third]);
    const batch = (await batchOf(t.db, first))!;
    expect(batch).toMatchObject({ status: "settled", quantity: 6, vendorStatus: "PartialFailed" });

    const one = await reload(first);
    expect(one).toMatchObject({ status: "completed", cardsDelivered: 2, refundedAmount: "0.0000" });
    const two = await reload(second);
    expect(two).toMatchObject({ status: "completed", cardsDelivered: 1 });
    const [{ owed }] = (await t.sql`select (${two.unitPrice}::numeric * 2)::numeric(19,4)::text as owed`) as unknown as [{ owed: string }];
    expect(two.refundedAmount).toBe(owed);
    const three = await reload(third);
    expect(three).toMatchObject({ status: "failed", cardsDelivered: 0, refundedAmount: three.totalPrice });
    expect((await cardsOf(second)).map((c) => c.batchPosition)).toEqual([2]);
    await moneyOnce([first, second, third]);
  });

  it("refused at placement: every member failed and refunded once, nothing bought", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    const made = await withWorkerStopped(async () => [await order(a, "5.13", 2), await order(b, "5.13", 1)]);
    const ids = made.map((o) => o.id);
    const done = await settledAll(ids);
    expect(done.every((o) => o.status === "failed" && o.failureCode === "out_of_stock" && o.refundedAmount === o.totalPrice)).toBe(true);
    const batch = (await batchOf(t.db, ids[0]!))!;
    expect(batch).toMatchObject({ status: "failed", failureCode: "out_of_stock", members: 2 });
    expect(await countMockOrders(t.db, batch.vendorRequestId)).toBe(0);
    await moneyOnce(ids);
  });

  it("failed by the vendor after accepting: every member failed and refunded once", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    const made = await withWorkerStopped(async () => [await order(a, "5.66", 1), await order(b, "5.66", 2)]);
    const ids = made.map((o) => o.id);
    const done = await settledAll(ids);
    expect(done.every((o) => o.status === "failed" && o.refundedAmount === o.totalPrice)).toBe(true);
    expect((await batchOf(t.db, ids[0]!))!.status).toBe("failed");
    await moneyOnce(ids);
  });

  it("unknown, then found: the answer lost at placement is learnt by re-sending the same request id; bought once", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    // .55: the first placement creates the order, then answers 500.
    const lost = await withWorkerStopped(async () => [await order(a, "5.55", 1), await order(b, "5.55", 2)]);
    // .43: a gateway's 403 page answers every placement, though the vendor took the first: re-checked by request id.
    const hidden = await withWorkerStopped(async () => [await order(a, "5.43", 1), await order(b, "5.43", 1)]);
    const ids = [...lost, ...hidden].map((o) => o.id);
    const done = await settledAll(ids);
    expect(done.every((o) => o.status === "completed" && o.refundedAmount === "0.0000")).toBe(true);
    const lostBatch = (await batchOf(t.db, lost[0]!.id))!;
    expect(await countMockOrders(t.db, lostBatch.vendorRequestId)).toBe(1);
    expect(await countMockCheckoutAttempts(t.db, lostBatch.vendorRequestId)).toBe(2); // 500 after buying, then OrderAlreadyExists
    const hiddenBatch = (await batchOf(t.db, hidden[0]!.id))!;
    expect(await countMockOrders(t.db, hiddenBatch.vendorRequestId)).toBe(1);
    await moneyOnce(ids);
  });

  it("unknown and never found: every member stays open and is re-checked, never refunded blind", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    // .44: every placement answers 404 and nothing is bought.
    const made = await withWorkerStopped(async () => [await order(a, "5.44", 1), await order(b, "5.44", 2)]);
    const ids = made.map((o) => o.id);
    const batch = await waitFor("the batch to close", () => batchOf(t.db, ids[0]!));
    await waitFor(
      "the batch's run to give up",
      async () => (await t.sql`select 1 from job_runs where event->'data'->>'batchId' = ${batch.id} and status = 'failed'`).length > 0,
      30_000,
    );
    for (const id of ids) expect(await reload(id)).toMatchObject({ status: "pending", refundedAmount: "0.0000", batchId: batch.id });
    expect((await batchOf(t.db, ids[0]!))!.status).toBe("placing");
    const calls = await t.sql<{ kind: string; status: number }[]>`select kind, status from vendor_calls where request_id = ${batch.vendorRequestId}`;
    const placements = calls.filter((c) => c.kind === "place_order");
    expect(placements.length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((c) => c.kind === "get_order").length).toBe(placements.length); // each 404 re-checked
    expect(await countMockOrders(t.db, batch.vendorRequestId)).toBe(0);
    await moneyOnce(ids);
  });
});

describe("vendor batches: crashes and races", () => {
  it("a crash between storing the batch and the call: the re-drive sends the stored request id, and the vendor's copy counts as placed", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    await engine.stopWorker();
    const rt = engine.services.orders;
    // Two batches stored and closed (members fixed) by a worker that then dies: before the call for
    // the first, after the call (the vendor took it) but before the answer was recorded for the second.
    const before = [await order(a, "6.00", 1), await order(b, "6.00", 2)];
    const after = [await order(a, "6.10", 2), await order(b, "6.10", 1)];
    const batches = [];
    for (const group of [before, after]) {
      const q = await queueOrder(rt, group[0]!.id);
      expect(q).toMatchObject({ mode: "batch", opened: true });
      const closed = await closeBatch(rt, (q as { batchId: string }).batchId);
      expect(closed).toMatchObject({ status: "placing", members: 2, quantity: 3 });
      const batch = (await batchOf(t.db, group[0]!.id))!;
      // Stored before any call: the request id, and which orders it carries.
      expect(await countMockCheckoutAttempts(t.db, batch.vendorRequestId)).toBe(0);
      expect((await membersOf(batch.id)).map((m) => m.id)).toEqual(group.map((o) => o.id));
      batches.push(batch);
    }
    const sent = await engine.client.placeOrder({
      requestId: batches[1]!.vendorRequestId,
      productId: Number(batches[1]!.vendorProductId),
      quantity: 3,
      faceValue: "6.10",
    });
    expect(sent.status).toBe("placed");
    // The dead worker's runs and events are gone; the backfill finds the batches stale.
    await t.sql`delete from job_events where status = 'pending'`;
    await t.sql`update vendor_batches set updated_at = now() - interval '1 hour' where id in ${t.sql(batches.map((x) => x.id))}`;
    const redriven = await redriveStuckOrders(t.db, { staleAfterMs: 30 * 60_000 });
    expect(redriven.sort()).toEqual([...before, ...after].map((o) => o.id).sort());
    await engine.startWorker();
    const ids = [...before, ...after].map((o) => o.id);
    const done = await settledAll(ids);
    expect(done.every((o) => o.status === "completed")).toBe(true);
    expect(await countMockOrders(t.db, batches[0]!.vendorRequestId)).toBe(1);
    expect(await countMockCheckoutAttempts(t.db, batches[0]!.vendorRequestId)).toBe(1);
    expect(await countMockOrders(t.db, batches[1]!.vendorRequestId)).toBe(1);
    expect(await countMockCheckoutAttempts(t.db, batches[1]!.vendorRequestId)).toBe(2); // ours before the crash, then OrderAlreadyExists
    // No member was ever placed on its own.
    for (const o of [...before, ...after]) expect(await countMockOrders(t.db, o.vendorRequestId)).toBe(0);
    await moneyOnce(ids);
  });

  it("two workers racing for the same batch: closed once, bought once, every card assigned once", async () => {
    const [a, b] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B")];
    await engine.stopWorker();
    let second: Database | undefined;
    try {
      const made = [await order(a, "6.20", 2), await order(b, "6.20", 1), await order(a, "6.20", 3)];
      const ids = made.map((o) => o.id);
      // A second worker: its own connections and its own vendor client, same database and vendor.
      second = createDatabase(t.url, 5);
      const rtA: OrderRuntime = engine.services.orders;
      const clientB = createBambooClient(second.db, engine.vendor.clientConfig({ limits: { catalogMs: 0, otherMs: 0 } }));
      const rtB: OrderRuntime = { ...rtA, db: second.db, vendorFor: () => clientB };
      const q = (await queueOrder(rtA, ids[0]!)) as { batchId: string };
      const again = (await queueOrder(rtB, ids[1]!)) as { batchId: string };
      expect(again.batchId).toBe(q.batchId); // the same open batch

      const closes = await Promise.all([closeBatch(rtA, q.batchId), closeBatch(rtB, q.batchId)]);
      expect(closes.map((c) => c.status)).toEqual(["placing", "placing"]);
      expect((await membersOf(q.batchId)).map((m) => m.id)).toEqual(ids);
      const places = await Promise.all([placeBatch(rtA, q.batchId), placeBatch(rtB, q.batchId)]);
      expect(places.map((p) => p.status)).toEqual(["placed", "placed"]);
      const batch = (await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, q.batchId)))[0]!;
      expect(await countMockOrders(t.db, batch.vendorRequestId)).toBe(1);

      await waitFor(
        "both pollers to settle the batch",
        async () => {
          const polls = await Promise.all([pollBatch(rtA, q.batchId), pollBatch(rtB, q.batchId)]);
          return polls.every((p) => p.status === "settled");
        },
        10_000,
        100,
      );
      const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
      expect(rows.every((o) => o.status === "completed" && o.cardsDelivered === o.quantity)).toBe(true);
      const cards = await t.db.select().from(orderCards).where(eq(orderCards.batchId, q.batchId));
      expect(cards).toHaveLength(6);
      expect(new Set(cards.map((c) => c.batchPosition)).size).toBe(6);
      const events = await t.sql`select 1 from job_events where name = 'order/completed' and data->>'orderId' in ${t.sql(ids)}`;
      expect(events).toHaveLength(3);
      await moneyOnce(ids);
    } finally {
      await second?.close();
      await engine.startWorker();
    }
  });
});

describe("vendor batches: arrivals while a batch closes", () => {
  it("an order taken by the batch that was closing while it queued opens no empty batch", async () => {
    const p = await engine.sandboxPartner("Closing");
    await engine.stopWorker();
    const rt = engine.services.orders;
    const [first, late] = [await order(p, "6.40", 1), await order(p, "6.40", 1)];
    const q = (await queueOrder(rt, first.id)) as { batchId: string };
    // Another worker is closing the batch: it holds it locked, takes both orders, and commits
    // while the late order's queue step waits for the batch.
    const closer = await t.sql.reserve();
    try {
      await closer`begin`;
      await closer`select id from vendor_batches where id = ${q.batchId} for update`;
      const queued = queueOrder(rt, late.id);
      await new Promise((r) => setTimeout(r, 300));
      await closer`update orders set batch_id = ${q.batchId} where id in ${closer([first.id, late.id])}`;
      await closer`update vendor_batches set status = 'placing', members = 2, quantity = 2, closed_at = now() where id = ${q.batchId}`;
      await closer`commit`;
      expect(await queued).toMatchObject({ mode: "batch", batchId: q.batchId });
    } finally {
      closer.release();
    }
    const open = await t.sql`select id from vendor_batches where status = 'open' and face_value = 6.40`;
    expect(open).toHaveLength(0);
    await t.sql`delete from job_events where status = 'pending' and name = 'order/created'`;
    await engine.startWorker();
    // The closed batch's own run (its event still pending) places it.
    const done = await settledAll([first.id, late.id]);
    expect(done.every((o) => o.status === "completed")).toBe(true);
    await moneyOnce([first.id, late.id]);
  });
});

describe("vendor batches: leaving, fairness and slots", () => {
  it("an order cancelled before placement leaves the batch cleanly; one that leaves after is tolerated", async () => {
    const [a, b, c] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B"), await engine.sandboxPartner("C")];
    await engine.stopWorker();
    const rt = engine.services.orders;
    const [keep, cancel, later] = [await order(a, "6.30", 1), await order(b, "6.30", 2), await order(c, "6.30", 1)];
    const q = (await queueOrder(rt, keep.id)) as { batchId: string };
    // Cancelled while the batch gathers: failed and refunded once, and not in the batch.
    expect(await cancelBeforePlacement(t.db, cancel.id)).toBe(true);
    expect(await cancelBeforePlacement(t.db, cancel.id)).toBe(false);
    expect(await reload(cancel.id)).toMatchObject({ status: "failed", failureCode: "order_cancelled", refundedAmount: cancel.totalPrice, batchId: null });
    expect(await closeBatch(rt, q.batchId)).toMatchObject({ status: "placing", members: 2, quantity: 2 });
    // Once the batch has fixed its members, its cards may be bought: too late to cancel.
    expect(await cancelBeforePlacement(t.db, keep.id)).toBe(false);
    // An order leaving by another path after that (here an admin failing it) is tolerated: the
    // others settle, its card stays unassigned and an admin is told.
    expect((await failOrder(t.db, later.id, "vendor_rejected")).status).toBe("failed");
    await t.sql`delete from job_events where status = 'pending' and name = 'order/created'`;
    await engine.startWorker();
    const done = await settledAll([keep.id]);
    expect(done[0]!.status).toBe("completed");
    const batch = await waitFor("the batch to settle", async () => {
      const x = (await batchOf(t.db, keep.id))!;
      return x.status === "settled" ? x : null;
    });
    expect(batch.quantity).toBe(2);
    expect(await cardsOf(later.id)).toHaveLength(0);
    const issues = await t.sql<{ kind: string }[]>`select kind from reconciliation_issues where vendor_request_id = ${batch.vendorRequestId}`;
    expect(issues.map((i) => i.kind)).toEqual(["batch_cards_unassigned"]);
    await moneyOnce([keep.id, cancel.id, later.id]);
  });

  it("one partner's burst cannot fill the batch alone: partners take turns, and what does not fit goes in the next batch at once", async () => {
    const [burst, other] = [await engine.sandboxPartner("Burst"), await engine.sandboxPartner("Other")];
    await engine.stopWorker();
    const rt = engine.services.orders;
    const mine = [];
    for (let i = 0; i < 6; i++) mine.push(await order(burst, "1.00", 100));
    const theirs = await order(other, "1.00", 100);
    const q = (await queueOrder(rt, mine[0]!.id)) as { batchId: string };
    expect(await closeBatch(rt, q.batchId)).toMatchObject({ status: "placing", members: 5, quantity: 500 });
    const members = (await membersOf(q.batchId)).map((m) => m.id);
    expect(members).toContain(theirs.id);
    expect(members).toEqual([mine[0]!.id, mine[1]!.id, mine[2]!.id, mine[3]!.id, theirs.id]);
    // The burst's last two wait in the next batch, opened when this one closed.
    const [next] = await t.db
      .select()
      .from(vendorBatches)
      .where(and(eq(vendorBatches.status, "open"), eq(vendorBatches.faceValue, "1.0000")));
    expect(next).toBeDefined();
    await t.sql`delete from job_events where status = 'pending' and name = 'order/created'`;
    await engine.startWorker();
    // The first batch's own run was never started (its event is still pending): it runs now too.
    const ids = [...mine, theirs].map((o) => o.id);
    const done = await settledAll(ids, 30_000);
    expect(done.every((o) => o.status === "completed")).toBe(true);
    const used = new Set(await Promise.all(ids.map(async (id) => (await batchOf(t.db, id))!.id)));
    expect(used.size).toBe(2);
    await moneyOnce(ids);
  });

  it("placement requests never carry more than 500 cards and the request id is the batch's", async () => {
    const calls = await t.sql<{ request_id: string; request_body: string }[]>`select request_id, request_body from vendor_calls where kind = 'place_order'`;
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      const body = JSON.parse(c.request_body) as { Products: Array<{ Quantity: number }> };
      expect(body.Products.reduce((n, p) => n + p.Quantity, 0)).toBeLessThanOrEqual(500);
      expect(await placementRequestIdOfBatch(c.request_id)).toBe(true);
    }
  });
});

async function placementRequestIdOfBatch(requestId: string) {
  const rows = await t.db.select({ id: vendorBatches.id }).from(vendorBatches).where(eq(vendorBatches.vendorRequestId, requestId));
  return rows.length === 1;
}
