import { asc, eq, inArray } from "drizzle-orm";
import DecimalBase from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "@/server/db/client";
import { mockVendorOrders, orderCards, orders, vendorBatches } from "@/server/db/schema";
import { checkInvariants } from "@/server/ledger";
import { RIDE_WAIT_MS, batchCloseTime, closeBatch, placeBatch, placementRequestId, pollBatch, queueOrder } from "@/server/orders/batch";
import { createOrder, type Order } from "@/server/orders/create";
import type { OrderRuntime } from "@/server/orders/runtime";
import { createBambooClient } from "@/server/supplier/bamboo";
import { countMockOrders, MOCK_TEST_PRODUCTS } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { FIXED_25_USD, RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";

/**
 * Vendor orders of several lines (issue 13 §1: "several products may share one vendor order"):
 * with Bamboo's per-product slots in force, a batch that closes takes along the open batches of
 * other products whose slot has come, as further lines of one vendor order. Driven step by step
 * (worker stopped), against the mock vendor over HTTP; each case ends with every member charged
 * once, refunded at most once, and a clean ledger.
 */

const Decimal = DecimalBase.clone({ precision: 40 });
const SPACING_MS = 1_500;
const RANGED_ID = MOCK_TEST_PRODUCTS.USD.ranged;

let t: TestDatabase;
let engine: OrderEngine;
let rt: OrderRuntime;

beforeAll(async () => {
  t = await createTestDatabase(20);
  engine = await startOrderEngine(t, {
    mock: { fulfilMs: 0 },
    productSpacingMs: SPACING_MS,
    batchWindowMs: 200,
  });
  // Step by step: no run of the engine's own takes a batch meanwhile.
  await engine.stopWorker();
  rt = engine.services.orders;
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

let refSeq = 0;
async function order(partnerId: string, sku: string, faceValue: string, quantity = 1): Promise<Order> {
  const { order } = await createOrder(t.db, {
    partnerId,
    environment: "sandbox",
    sku,
    faceValue,
    quantity,
    referenceId: `lines-${++refSeq}`,
    actor: "test",
  });
  return order;
}

const batchRow = async (id: string) => (await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, id)))[0]!;
const reload = async (ids: string[]) => t.db.select().from(orders).where(inArray(orders.id, ids)).orderBy(asc(orders.createdAt), asc(orders.id));

/** Every order's batch opened (its own run's first step) and its product slot reserved; waits until every slot has come. */
async function openBatches(ids: string[]): Promise<string[]> {
  const batchIds: string[] = [];
  for (const id of ids) {
    const q = (await queueOrder(rt, id)) as { batchId: string };
    if (!batchIds.includes(q.batchId)) batchIds.push(q.batchId);
  }
  let until = 0;
  for (const b of batchIds) until = Math.max(until, (await batchCloseTime(rt, b)).closeAtMs ?? 0);
  await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 80));
  return batchIds;
}

async function placeCalls(requestId: string) {
  return t.sql<{ status: number; request_body: string }[]>`
    select status, request_body from vendor_calls where kind = 'place_order' and request_id = ${requestId} order by started_at`;
}

/** Every member charged once, refunded at most once (and by what it says), and the ledger clean. */
async function moneyOnce(ids: string[]) {
  for (const o of await reload(ids)) {
    const transfers = await t.sql<{ kind: string; amount: string }[]>`
      select kind::text, amount::text from ledger_transfers where reference = ${o.id} order by created_at`;
    expect(
      transfers.filter((x) => x.kind === "order_debit").map((x) => x.amount),
      o.id,
    ).toEqual([o.totalPrice]);
    const refunds = transfers.filter((x) => x.kind === "order_refund");
    expect(refunds.length, o.id).toBeLessThanOrEqual(1);
    expect(refunds[0]?.amount ?? "0.0000", o.id).toBe(o.refundedAmount);
  }
  expect((await checkInvariants(t.db)).ok).toBe(true);
}

describe("vendor orders of several lines", () => {
  it("two products at once: one vendor order of two lines, each line's cards to its own members, the vendor's charge split exactly", async () => {
    const [a, b, c] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B"), await engine.sandboxPartner("C")];
    const ranged = [await order(a, RANGED_USD, "5.00", 2), await order(b, RANGED_USD, "5.00", 1)];
    const fixed = [await order(a, FIXED_25_USD, "25.00", 1), await order(c, FIXED_25_USD, "25.00", 2)];
    const ids = [...ranged, ...fixed].map((o) => o.id);
    const [lead, rider] = await openBatches(ids);

    const closed = await closeBatch(rt, lead!);
    expect(closed).toMatchObject({ status: "placing", members: 2, quantity: 3, riders: 1 });
    expect(await batchRow(rider!)).toMatchObject({ status: "placing", placementBatchId: lead, members: 2, quantity: 3 });

    // The rider is sent by its lead: no call of its own.
    expect(await placeBatch(rt, rider!)).toMatchObject({ status: "placing", done: true });
    expect(await placeBatch(rt, lead!)).toMatchObject({ status: "placed" });
    const leadRow = await batchRow(lead!);
    const riderRow = await batchRow(rider!);
    expect(riderRow).toMatchObject({ status: "placed", nextPollAt: null });
    const calls = await placeCalls(leadRow.vendorRequestId);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.request_body).Products).toHaveLength(2);
    expect(await placeCalls(riderRow.vendorRequestId)).toHaveLength(0);
    expect(await countMockOrders(t.db, leadRow.vendorRequestId)).toBe(1);
    expect(await countMockOrders(t.db, riderRow.vendorRequestId)).toBe(0);
    // Every member's placement is the lead's request id.
    for (const id of ids) expect(await placementRequestId(t.db, id)).toBe(leadRow.vendorRequestId);

    // Asked about through the rider: one get-order, both lines settled.
    expect(await pollBatch(rt, rider!)).toMatchObject({ status: "settled" });
    expect(await batchRow(lead!)).toMatchObject({ status: "settled" });
    const gets = await t.sql`select 1 from vendor_calls where kind = 'get_order' and request_id = ${leadRow.vendorRequestId}`;
    expect(gets).toHaveLength(1);

    const rows = await reload(ids);
    expect(rows.every((o) => o.status === "completed" && o.cardsDelivered === o.quantity)).toBe(true);
    for (const o of rows) {
      const cards = await t.db.select().from(orderCards).where(eq(orderCards.orderId, o.id));
      expect(cards.map((x) => new Decimal(x.faceValue).toFixed(2))).toEqual(Array(o.quantity).fill(o.productId === ranged[0]!.productId ? "5.00" : "25.00"));
      expect(new Set(cards.map((x) => x.batchId))).toEqual(new Set([o.batchId]));
    }
    // What the members' settled costs add up to is what the vendor charged for the whole order.
    const [mock] = await t.db.select().from(mockVendorOrders).where(eq(mockVendorOrders.requestId, leadRow.vendorRequestId));
    const settled = rows.reduce((s, o) => s.plus(o.settledCost!), new Decimal(0));
    expect(settled.toFixed(4)).toBe(new Decimal(mock!.total).toFixed(4));
    await moneyOnce(ids);
  });

  it("one line delivers nothing (PartialFailed): its members failed and refunded once, the other line's members completed", async () => {
    const [a, b] = [await engine.sandboxPartner("A2"), await engine.sandboxPartner("B2")];
    // .66 at the mock: that line is not delivered.
    const failing = [await order(a, RANGED_USD, "6.66", 2), await order(b, RANGED_USD, "6.66", 1)];
    const fine = [await order(b, FIXED_25_USD, "25.00", 2)];
    const ids = [...failing, ...fine].map((o) => o.id);
    const [lead, rider] = await openBatches(ids);
    expect(await closeBatch(rt, lead!)).toMatchObject({ riders: 1 });
    await placeBatch(rt, lead!);
    await pollBatch(rt, lead!);
    expect((await batchRow(lead!)).status).toBe("failed");
    expect((await batchRow(rider!)).status).toBe("settled");
    const rows = await reload(ids);
    for (const o of rows.filter((r) => failing.some((f) => f.id === r.id))) expect(o).toMatchObject({ status: "failed", refundedAmount: o.totalPrice });
    expect(rows.find((r) => r.id === fine[0]!.id)).toMatchObject({ status: "completed", cardsDelivered: 2, refundedAmount: "0.0000" });
    await moneyOnce(ids);
  });

  it("a refused order of two lines is split: each line goes alone under a new request id; only the refused product's members fail", async () => {
    const [a, b] = [await engine.sandboxPartner("A3"), await engine.sandboxPartner("B3")];
    const fine = [await order(a, FIXED_25_USD, "25.00", 1)];
    // .13 at the mock: the whole placement is refused (ProductIsOutOfStock).
    const refused = [await order(b, RANGED_USD, "7.13", 1)];
    const ids = [...fine, ...refused].map((o) => o.id);
    const [lead, rider] = await openBatches(ids);
    const firstRequestId = (await batchRow(lead!)).vendorRequestId;
    expect(await closeBatch(rt, lead!)).toMatchObject({ riders: 1 });
    const riderRequestId = (await batchRow(rider!)).vendorRequestId;

    // The lead is sent again at once, alone (after its product's next slot).
    expect(await placeBatch(rt, lead!)).toMatchObject({ status: "placed" });
    const leadRow = await batchRow(lead!);
    expect(leadRow.vendorRequestId).not.toBe(firstRequestId);
    expect((await placeCalls(firstRequestId)).map((c) => c.status)).toEqual([400]);
    expect(await countMockOrders(t.db, firstRequestId)).toBe(0);
    // The rider left the refused order with a new request id, and a run of its own was asked for.
    const riderRow = await batchRow(rider!);
    expect(riderRow).toMatchObject({ status: "placing", placementBatchId: null });
    expect(riderRow.vendorRequestId).not.toBe(riderRequestId);
    expect(await t.sql`select 1 from job_events where key = ${`batch-alone:${rider}`}`).toHaveLength(1);
    // Alone, the refused product is refused again: its members fail, once.
    expect(await placeBatch(rt, rider!)).toMatchObject({ status: "failed" });
    expect(await pollBatch(rt, lead!)).toMatchObject({ status: "settled" });
    const rows = await reload(ids);
    expect(rows.find((r) => r.id === fine[0]!.id)).toMatchObject({ status: "completed", cardsDelivered: 1 });
    expect(rows.find((r) => r.id === refused[0]!.id)).toMatchObject({ status: "failed", failureCode: "out_of_stock" });
    await moneyOnce(ids);
  });

  it("unknown, then found: the answer to a two-line placement is lost; the same request id is sent again and counts as placed, bought once", async () => {
    const [a, b] = [await engine.sandboxPartner("A6"), await engine.sandboxPartner("B6")];
    // .55 at the mock, on the rider's line: the first placement creates the order, then answers 500.
    const ids = [await order(a, FIXED_25_USD, "25.00", 1), await order(b, RANGED_USD, "8.55", 2)].map((o) => o.id);
    const [lead] = await openBatches(ids);
    expect(await closeBatch(rt, lead!)).toMatchObject({ riders: 1 });
    let placed: Awaited<ReturnType<typeof placeBatch>> | null = null;
    for (let i = 0; i < 5 && placed?.status !== "placed"; i++) {
      try {
        placed = await placeBatch(rt, lead!);
      } catch {
        // Unknown outcome: the batch's run retries the step with the same request id and lines.
      }
    }
    expect(placed?.status).toBe("placed");
    const leadRow = await batchRow(lead!);
    expect((await placeCalls(leadRow.vendorRequestId)).length).toBeGreaterThanOrEqual(2);
    expect(await countMockOrders(t.db, leadRow.vendorRequestId)).toBe(1);
    await pollBatch(rt, lead!);
    expect((await reload(ids)).every((o) => o.status === "completed" && o.cardsDelivered === o.quantity)).toBe(true);
    await moneyOnce(ids);
  });

  it("a crash after the close, then two workers: the lines stay fixed, one vendor order, every card assigned once", async () => {
    const [a, b] = [await engine.sandboxPartner("A4"), await engine.sandboxPartner("B4")];
    const ids = [await order(a, RANGED_USD, "9.00", 2), await order(b, FIXED_25_USD, "25.00", 1), await order(b, RANGED_USD, "9.00", 1)].map((o) => o.id);
    const [lead, rider] = await openBatches(ids);
    await closeBatch(rt, lead!);
    // …the process dies here. A re-drive of either batch, on two workers at once, finds the lines as they were fixed.
    let second: Database | undefined;
    try {
      second = createDatabase(t.url, 5);
      const clientB = createBambooClient(second.db, engine.vendor.clientConfig({ limits: { catalogMs: 0, otherMs: 0, placeOrderPerProductMs: SPACING_MS } }));
      const rtB: OrderRuntime = { ...rt, db: second.db, vendorFor: () => clientB };
      expect((await Promise.all([closeBatch(rt, lead!), closeBatch(rtB, rider!)])).map((r) => r.status)).toEqual(["placing", "placing"]);
      const places = await Promise.all([placeBatch(rt, lead!), placeBatch(rtB, lead!), placeBatch(rtB, rider!)]);
      expect(places.map((p) => p.status).slice(0, 2)).toEqual(["placed", "placed"]);
      // The rider's own re-drive sends nothing: its lead does.
      expect(places[2]!.done).toBe(true);
      expect((await batchRow(rider!)).status).toBe("placed");
      const leadRow = await batchRow(lead!);
      expect(await countMockOrders(t.db, leadRow.vendorRequestId)).toBe(1);
      const polls = await Promise.all([pollBatch(rt, lead!), pollBatch(rtB, rider!), pollBatch(rtB, lead!)]);
      expect(polls.every((p) => p.status === "settled")).toBe(true);
    } finally {
      await second?.close();
    }
    const rows = await reload(ids);
    expect(rows.every((o) => o.status === "completed" && o.cardsDelivered === o.quantity)).toBe(true);
    const cards = await t.db.select().from(orderCards).where(inArray(orderCards.orderId, ids));
    expect(cards).toHaveLength(4);
    expect(new Set(cards.map((c) => c.vendorCardId)).size).toBe(4);
    const events = await t.sql`select 1 from job_events where name = 'order/completed' and data->>'orderId' in ${t.sql(ids)}`;
    expect(events).toHaveLength(3);
    await moneyOnce(ids);
  });

  it("a batch ready to leave waits, bounded, for the account's next departure and rides in it rather than going alone", async () => {
    const a = await engine.sandboxPartner("A6");
    // The ranged product was just placed: its next batch leaves when the product's slot comes back.
    const first = await order(a, RANGED_USD, "3.00", 1);
    const [b1] = await openBatches([first.id]);
    await closeBatch(rt, b1!);
    await placeBatch(rt, b1!);
    const later = await order(a, RANGED_USD, "3.00", 1);
    const q1 = (await queueOrder(rt, later.id)) as { batchId: string };
    const q1Close = (await batchCloseTime(rt, q1.batchId)).closeAtMs!;
    // Another product's order comes when the ranged batch leaves in under a second: its own slot is
    // free, but rather than a vendor order of its own at the end of its window, it waits for that one.
    await new Promise((r) => setTimeout(r, Math.max(0, q1Close - Date.now() - 900)));
    const other = await order(a, FIXED_25_USD, "25.00", 1);
    const q2 = (await queueOrder(rt, other.id)) as { batchId: string };
    const q2Close = (await batchCloseTime(rt, q2.batchId)).closeAtMs!;
    await new Promise((r) => setTimeout(r, Math.max(0, q2Close - Date.now())));
    const deferred = await closeBatch(rt, q2.batchId, { ride: true });
    expect(deferred.status).toBe("open");
    expect(deferred.rideAtMs).toBeGreaterThan(q1Close);
    expect(deferred.rideAtMs! - Date.now()).toBeLessThanOrEqual(RIDE_WAIT_MS + 400);
    // Without `ride` (a test, or an admin's re-drive) it would close at once: the option is what waits.
    await new Promise((r) => setTimeout(r, Math.max(0, q1Close - Date.now())));
    expect(await closeBatch(rt, q1.batchId, { ride: true })).toMatchObject({ status: "placing", riders: 1 });
    expect(await batchRow(q2.batchId)).toMatchObject({ status: "placing", placementBatchId: q1.batchId });
    // Its own run wakes after the lead's close and finds it taken: placing it is the lead's.
    await new Promise((r) => setTimeout(r, Math.max(0, deferred.rideAtMs! - Date.now())));
    expect(await closeBatch(rt, q2.batchId)).toMatchObject({ status: "placing" });
    expect(await placeBatch(rt, q2.batchId)).toMatchObject({ status: "placing", done: true });
    await placeBatch(rt, q1.batchId);
    const lead = await batchRow(q1.batchId);
    const calls = await placeCalls(lead.vendorRequestId);
    expect(calls.filter((c) => c.status === 200)).toHaveLength(1);
    expect((JSON.parse(calls.at(-1)!.request_body) as { Products: unknown[] }).Products).toHaveLength(2);
    await pollBatch(rt, b1!);
    await pollBatch(rt, q1.batchId);
    const all = [first.id, later.id, other.id];
    expect((await reload(all)).every((o) => o.status === "completed")).toBe(true);
    await moneyOnce(all);

    // With nothing leaving soon, a batch ready to leave closes at once.
    await new Promise((r) => setTimeout(r, SPACING_MS));
    const alone = await order(a, FIXED_25_USD, "25.00", 1);
    const [q3] = await openBatches([alone.id]);
    expect(await closeBatch(rt, q3!, { ride: true })).toMatchObject({ status: "placing" });
    await placeBatch(rt, q3!);
    await pollBatch(rt, q3!);
    await moneyOnce([...all, alone.id]);
  });

  it("a batch whose product's slot has not come stays behind; without per-product spacing no batch rides", async () => {
    const a = await engine.sandboxPartner("A5");
    // The ranged product was just placed: its next slot is SPACING_MS away.
    const first = await order(a, RANGED_USD, "3.00", 1);
    const [b1] = await openBatches([first.id]);
    await closeBatch(rt, b1!);
    await placeBatch(rt, b1!);
    // Someone else holds the product's next slot too: this product's next batch waits ≥ SPACING_MS.
    await rt.vendorFor("sandbox").reservePlacementSlot(RANGED_ID, "another-holder");
    const later = await order(a, RANGED_USD, "3.00", 1);
    const other = await order(a, FIXED_25_USD, "25.00", 1);
    const q1 = (await queueOrder(rt, later.id)) as { batchId: string };
    const q2 = (await queueOrder(rt, other.id)) as { batchId: string };
    expect((await batchCloseTime(rt, q1.batchId)).closeAtMs! - Date.now()).toBeGreaterThan(SPACING_MS / 2);
    const q2Close = (await batchCloseTime(rt, q2.batchId)).closeAtMs!;
    await new Promise((r) => setTimeout(r, Math.max(0, q2Close - Date.now()) + 50));
    const c2 = await closeBatch(rt, q2.batchId);
    expect(c2.status).toBe("placing");
    expect(c2.riders).toBeUndefined();
    expect(await batchRow(q1.batchId)).toMatchObject({ status: "open", placementBatchId: null });

    // Without per-product spacing (the client says so) nothing rides, whatever is open.
    const unspaced: OrderRuntime = { ...rt, vendorFor: (env) => Object.assign(Object.create(rt.vendorFor(env)), { productSlotPrefix: null }) };
    await new Promise((r) => setTimeout(r, SPACING_MS));
    const third = await order(a, FIXED_25_USD, "25.00", 1);
    const q3 = (await queueOrder(rt, third.id)) as { batchId: string };
    expect(await closeBatch(unspaced, q3.batchId)).toMatchObject({ status: "placing" });
    expect(await batchRow(q1.batchId)).toMatchObject({ status: "open" });
    // Finish what was started, for the ledger check.
    for (const id of [b1!, q1.batchId, q2.batchId, q3.batchId]) {
      const closeAt = (await batchCloseTime(rt, id)).closeAtMs ?? 0;
      await new Promise((r) => setTimeout(r, Math.max(0, closeAt - Date.now())));
      await closeBatch(rt, id);
      await placeBatch(rt, id);
      await pollBatch(rt, id);
    }
    const all = [first.id, later.id, other.id, third.id];
    expect((await reload(all)).every((o) => o.status === "completed")).toBe(true);
    await moneyOnce(all);
  });
});
