import DecimalBase from "decimal.js";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "@/server/db/schema";
import { checkInvariants, LedgerConflictError, platformRevenue, recognizeOrderRevenue } from "@/server/ledger";
import { batchOf, closeBatch, placeBatch, pollBatch, queueOrder } from "@/server/orders/batch";
import type { Order } from "@/server/orders/create";
import { placeWithVendor, pollVendor } from "@/server/orders/fulfil";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * Revenue in the ledger (issue 17 item 9), over the real order engine and the mock vendor: when
 * an order completes, what the vendor charged for the delivered cards stays in vendor settlement
 * and the margin (price of the delivered cards − that cost) moves to platform revenue, once, in
 * the completing transaction; failed orders recognise nothing; checkInvariants and the admin's
 * platformRevenue agree with the orders to the fourth decimal.
 */

const Decimal = DecimalBase.clone({ precision: 40 });

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(20);
  // A window long enough that orders created back to back share a batch.
  engine = await startOrderEngine(t, { mock: { fulfilMs: 300 }, batchWindowMs: 300 });
  order = engine.orderMaker("rev");
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

let order: ReturnType<OrderEngine["orderMaker"]>;

async function finished(ids: string[], timeoutMs = 20_000) {
  return waitFor(
    `orders ${ids.join(", ")} to finish`,
    async () => {
      const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
      return rows.length === ids.length && rows.every((o) => o.status === "completed" || o.status === "failed") ? rows : null;
    },
    timeoutMs,
  );
}

const reload = async (id: string) => (await t.db.select().from(orders).where(eq(orders.id, id)))[0]!;

/** The order's revenue transfers: amount, and the accounts' kinds on each side. */
async function revenueTransfers(orderId: string) {
  return t.sql<{ amount: string; from: string; to: string; fromId: string; metadata: Record<string, unknown> }[]>`
    select t.amount::text as amount, d.kind::text as from, c.kind::text as to, d.id as "fromId", t.metadata
    from ledger_transfers t join ledger_accounts d on d.id = t.debit_account_id join ledger_accounts c on c.id = t.credit_account_id
    where t.kind = 'order_revenue' and t.reference = ${orderId}`;
}

/** The settlement shard the order was paid into. */
async function settlementOf(orderId: string) {
  const [row] = await t.sql<{ id: string }[]>`select credit_account_id as id from ledger_transfers where kind = 'order_debit' and reference = ${orderId}`;
  return row!.id;
}

/** What the mock vendor charged for a vendor order (its get-order total). */
async function vendorTotal(requestId: string) {
  const [row] = await t.sql<{ total: string }[]>`select total::numeric(19,4)::text as total from mock_vendor_orders where request_id = ${requestId}`;
  return row!.total;
}

/** price of the delivered cards − what the vendor charged for them, from the order row alone. */
const margin = (o: Order) => new Decimal(o.totalPrice).minus(o.refundedAmount).minus(o.settledCost!).toFixed(4);

/** The order recognised exactly its margin: one transfer settlement → revenue (the other way for a loss), none for zero. */
async function expectRevenue(o: Order) {
  const m = new Decimal(margin(o));
  const transfers = await revenueTransfers(o.id);
  if (m.isZero()) return expect(transfers).toEqual([]);
  expect(transfers).toHaveLength(1);
  const [r] = transfers;
  expect(r!.amount).toBe(m.abs().toFixed(4));
  const settlement = await settlementOf(o.id);
  if (m.isPositive())
    expect({ from: r!.from, fromId: r!.fromId, to: r!.to }).toEqual({ from: "vendor_settlement", fromId: settlement, to: "platform_revenue" });
  else expect({ from: r!.from, to: r!.to }).toEqual({ from: "platform_revenue", to: "vendor_settlement" });
}

async function expectClean() {
  const report = await checkInvariants(t.db);
  expect(report.revenueMismatches).toEqual([]);
  expect(report.ok, JSON.stringify(report).slice(0, 800)).toBe(true);
  return report;
}

const everyOrder: string[] = [];

describe("revenue per order", () => {
  it("completed: the vendor's charge stays in settlement, the margin goes to platform revenue, once", async () => {
    const partner = await engine.sandboxPartner("Full");
    const o = await order(partner, "25.00", 2);
    everyOrder.push(o.id);
    const [done] = await finished([o.id]);
    expect(done!.status).toBe("completed");
    const batch = (await batchOf(t.db, o.id))!;
    // The cost is what the vendor charged (its get-order total), not our estimate.
    expect(done!.settledCost).toBe(await vendorTotal(batch.vendorRequestId));
    expect(new Decimal(margin(done!)).isPositive()).toBe(true);
    await expectRevenue(done!);
    const [r] = await revenueTransfers(o.id);
    expect(r!.metadata).toMatchObject({ orderId: o.id, cards: 2, costSource: "vendor", cost: done!.settledCost, margin: margin(done!) });
    await expectClean();
  });

  it("partially fulfilled: revenue only on the delivered cards, the undelivered ones refunded with none", async () => {
    const partner = await engine.sandboxPartner("Partial");
    // .50: the mock delivers half the cards. 10.50 × the cost rate does not fall on a cent, so the
    // vendor's rounded unit price differs from our 4-decimal estimate: the vendor's figure is used.
    const o = await order(partner, "10.50", 4);
    everyOrder.push(o.id);
    const [done] = await finished([o.id]);
    expect(done).toMatchObject({ status: "completed", cardsDelivered: 2 });
    expect(done!.refundedAmount).toBe(new Decimal(o.unitPrice).times(2).toFixed(4));
    const batch = (await batchOf(t.db, o.id))!;
    expect(done!.settledCost).toBe(await vendorTotal(batch.vendorRequestId));
    expect(done!.settledCost).not.toBe(new Decimal(o.vendorCost).dividedBy(2).toFixed(4));
    expect(margin(done!)).toBe(new Decimal(o.unitPrice).times(2).minus(done!.settledCost!).toFixed(4));
    await expectRevenue(done!);
    await expectClean();
  });

  it("refused by the vendor, or failed after accepting: refunded in full, no revenue", async () => {
    const partner = await engine.sandboxPartner("Failed");
    const refused = await order(partner, "20.13"); // out of stock
    const failed = await order(partner, "20.66"); // fails after acceptance
    everyOrder.push(refused.id, failed.id);
    const done = await finished([refused.id, failed.id]);
    for (const o of done) {
      expect(o.status).toBe("failed");
      expect(o.refundedAmount).toBe(o.totalPrice);
      expect(o.settledCost).toBeNull();
      expect(await revenueTransfers(o.id)).toEqual([]);
    }
    await expectClean();
  });

  it("a batch shares the vendor's charge over its members' cards exactly; a member left without cards recognises nothing", async () => {
    const [a, b, c] = [await engine.sandboxPartner("A"), await engine.sandboxPartner("B"), await engine.sandboxPartner("C")];
    await engine.stopWorker();
    let made: Order[] = [];
    try {
      // .50 partial: 6 cards ordered, 3 delivered, oldest member first: a gets 2, b 1, c none.
      made = [await order(a, "7.50", 2), await order(b, "7.50", 1), await order(c, "7.50", 3)];
    } finally {
      await engine.startWorker();
    }
    everyOrder.push(...made.map((o) => o.id));
    await finished(made.map((o) => o.id));
    const [ma, mb, mc] = await Promise.all(made.map((o) => reload(o.id)));
    const batch = (await batchOf(t.db, ma!.id))!;
    expect(batch).toMatchObject({ status: "settled", members: 3, quantity: 6 });
    expect([ma!.cardsDelivered, mb!.cardsDelivered, mc!.status]).toEqual([2, 1, "failed"]);
    expect(new Decimal(ma!.settledCost!).plus(mb!.settledCost!).toFixed(4)).toBe(await vendorTotal(batch.vendorRequestId));
    for (const o of [ma!, mb!]) await expectRevenue(o);
    expect(await revenueTransfers(mc!.id)).toEqual([]);
    await expectClean();
  });

  it("the vendor's price rose after the order was priced: the smaller margin is recognised, and a loss moves revenue back to settlement", async () => {
    const partner = await engine.sandboxPartner("Repriced");
    await engine.stopWorker();
    let smaller: Order | undefined;
    let loss: Order | undefined;
    const vendorProduct = Number(RANGED_USD.slice(4));
    const [{ rate }] = (await t.sql`select cost_factor::text as rate from mock_vendor_products where id = ${vendorProduct}`) as unknown as [{ rate: string }];
    const vendorRate = (factor: string) => t.sql`update mock_vendor_products set cost_factor = ${factor}::numeric where id = ${vendorProduct}`;
    const rt = engine.services.orders;
    const placeNow = async (o: Order) => {
      const q = (await queueOrder(rt, o.id)) as { batchId: string };
      await closeBatch(rt, q.batchId);
      await placeBatch(rt, q.batchId);
    };
    try {
      smaller = await order(partner, "40.00");
      loss = await order(partner, "41.00");
      // The vendor's own price, raised after both were priced (our catalog still says the old one):
      // by 1 % when the first is placed, by 30 % when the second is.
      await vendorRate(new Decimal(rate).times("1.01").toFixed(8));
      await placeNow(smaller);
      await vendorRate(new Decimal(rate).times("1.30").toFixed(8));
      await placeNow(loss);
    } finally {
      await vendorRate(rate);
      await engine.startWorker();
    }
    everyOrder.push(smaller!.id, loss!.id);
    const [s, l] = await finished([smaller!.id, loss!.id]).then((r) => [smaller!, loss!].map((o) => r.find((x) => x.id === o.id)!));
    expect(new Decimal(s!.settledCost!).greaterThan(s!.vendorCost)).toBe(true);
    expect(new Decimal(margin(s!)).isPositive()).toBe(true);
    expect(new Decimal(margin(l!)).isNegative()).toBe(true);
    await expectRevenue(s!);
    await expectRevenue(l!);
    await expectClean();
  });
});

describe("exactly once", () => {
  it("three concurrent settlements of one batch (double delivery of its poll): one completion, one revenue transfer per member", async () => {
    const [a, b] = [await engine.sandboxPartner("Race A"), await engine.sandboxPartner("Race B")];
    await engine.stopWorker();
    const rt = engine.services.orders;
    let made: Order[] = [];
    try {
      made = [await order(a, "9.00", 2), await order(b, "9.00", 3)];
      const q = await queueOrder(rt, made[0]!.id);
      const batchId = (q as { batchId: string }).batchId;
      expect(await closeBatch(rt, batchId)).toMatchObject({ status: "placing", members: 2 });
      await placeBatch(rt, batchId);
      const { vendorRequestId } = (await batchOf(t.db, made[0]!.id))!;
      await waitFor("the vendor to fulfil", async () => (await engine.client.getOrder(vendorRequestId, { orderId: batchId }))?.state === "succeeded");
      // The same answer delivered three times at once: one settlement, the others find it settled.
      const polls = await Promise.all([pollBatch(rt, batchId), pollBatch(rt, batchId), pollBatch(rt, batchId)]);
      expect(polls.map((r) => r.status)).toEqual(["settled", "settled", "settled"]);
    } finally {
      await engine.startWorker();
    }
    everyOrder.push(...made.map((o) => o.id));
    for (const o of await finished(made.map((x) => x.id))) {
      expect(o.status).toBe("completed");
      await expectRevenue(o);
    }
    await expectClean();
  });

  it("concurrent polls of an order placed on its own (before batching) complete it and recognise its margin once", async () => {
    const partner = await engine.sandboxPartner("Single");
    await engine.stopWorker();
    const rt = engine.services.orders;
    const o = await order(partner, "12.00", 2);
    try {
      await t.db.update(orders).set({ batched: false }).where(eq(orders.id, o.id));
      expect((await placeWithVendor(rt, o.id)).status).toBe("processing");
      await waitFor("the vendor to fulfil", async () => (await engine.client.getOrder(o.vendorRequestId, { orderId: o.id }))?.state === "succeeded");
      const polls = await Promise.all([pollVendor(rt, o.id), pollVendor(rt, o.id), pollVendor(rt, o.id)]);
      expect(polls.map((p) => p.status)).toEqual(["completed", "completed", "completed"]);
    } finally {
      await engine.startWorker();
    }
    everyOrder.push(o.id);
    const done = await reload(o.id);
    expect(done.settledCost).toBe(await vendorTotal(o.vendorRequestId));
    await expectRevenue(done);
    await expectClean();
  });

  it("a replay of the recognition changes nothing; one with another margin is refused", async () => {
    const partner = await engine.sandboxPartner("Replay");
    const o = await order(partner, "15.00");
    everyOrder.push(o.id);
    const [done] = await finished([o.id]);
    const input = { orderId: o.id, price: new Decimal(done!.totalPrice).minus(done!.refundedAmount).toFixed(4), cost: done!.settledCost!, cards: 1 };
    await recognizeOrderRevenue(t.db, [{ ...input, costSource: "vendor" }]);
    expect(await revenueTransfers(o.id)).toHaveLength(1);
    await expect(recognizeOrderRevenue(t.db, [{ ...input, cost: "0.0001", costSource: "vendor" }])).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await revenueTransfers(o.id)).toHaveLength(1);
    // A completion that rolls back takes its revenue with it (the same transaction).
    const other = await order(partner, "15.00");
    await t.db
      .transaction(async (tx) => {
        await recognizeOrderRevenue(tx, [{ orderId: other.id, price: other.totalPrice, cost: other.vendorCost, cards: 1, costSource: "estimate" }]);
        throw new Error("crash before commit");
      })
      .catch(() => {});
    expect(await revenueTransfers(other.id)).toEqual([]);
    everyOrder.push(other.id);
    await finished([other.id]);
    await expectRevenue(await reload(other.id));
    await expectClean();
  });
  it("recognising margins over several shards locks every account it moves in id order: waiting for the lowest, it holds none of the others", async () => {
    // Settlements run side by side (the shared poller settles up to 4 batches at once), and one
    // that refunds locks all its accounts in id order first. A margin recognition that locked
    // transfer by transfer (sorted by settlement shard, each locking its settlement and revenue
    // shard) held accounts out of that order while waiting, and could close a cycle with it (40P01).
    const partner = await engine.sandboxPartner("Lock order");
    const placed: Order[] = [];
    for (let i = 0; i < 8; i++) placed.push(await order(partner, "15.00"));
    everyOrder.push(...placed.map((o) => o.id));
    const done = await finished(placed.map((o) => o.id));
    const inputs = done.map((o) => ({
      orderId: o.id,
      price: new Decimal(o.totalPrice).minus(o.refundedAmount).toFixed(4),
      cost: o.settledCost!,
      cards: o.cardsDelivered,
      costSource: "vendor" as const,
    }));
    const accounts = (
      await t.sql<{ id: string }[]>`
        select distinct a.id from ledger_transfers t, unnest(array[t.debit_account_id, t.credit_account_id]) as a(id)
        where t.kind = 'order_revenue' and t.reference in ${t.sql(done.map((o) => o.id))}`
    )
      .map((r) => r.id)
      .sort();
    // Eight orders over eight settlement shards: several shards, each with its revenue shard.
    expect(accounts.length).toBeGreaterThanOrEqual(4);
    const [lowest, ...others] = accounts;

    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    const holder = t.sql.begin(async (s) => {
      await s`select id from ledger_accounts where id = ${lowest!} for no key update`;
      held();
      await released;
    });
    await isHeld;
    // A replay of the same margins: it changes nothing, but takes the same locks.
    const replay = t.db.transaction(async (tx) => recognizeOrderRevenue(tx, inputs));
    await waitFor("the recognition to wait for the lowest account", async () => {
      const [w] = await t.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%ledger%'`;
      return w!.n > 0;
    });
    const free = await t.sql
      .begin(async (c) => {
        await c`select id from ledger_accounts where id in ${t.sql(others)} for no key update nowait`;
        return true;
      })
      .catch((e: { code?: string }) => (e.code === "55P03" ? false : Promise.reject(e)));
    release();
    await holder;
    await replay;
    expect(free).toBe(true);
    for (const o of done) await expectRevenue(o);
    await expectClean();
  });
});

describe("totals", () => {
  it("platform revenue = Σ margins of completed orders (refunded cards excluded) to the 4th decimal, in platformRevenue, the accounts and checkInvariants", async () => {
    const rows = await t.db.select().from(orders).where(inArray(orders.id, everyOrder));
    expect(rows.length).toBe(everyOrder.length);
    let expected = new Decimal(0);
    for (const o of rows) {
      if (o.status === "completed") expected = expected.plus(new Decimal(o.unitPrice).times(o.cardsDelivered).minus(o.settledCost!));
      else expect(o.status).toBe("failed");
    }
    const all = await platformRevenue(t.db, { environment: "sandbox" });
    expect(all).toEqual([{ currency: "USD", environment: "sandbox", revenue: expected.toFixed(4), orders: expect.any(Number) }]);
    expect(await platformRevenue(t.db, { environment: "live" })).toEqual([]);
    expect(await platformRevenue(t.db, { from: new Date(Date.now() + 60_000) })).toEqual([]);
    const [{ balance }] = (await t.sql`
      select sum(balance)::numeric(19,4)::text as balance from ledger_accounts where kind = 'platform_revenue' and currency = 'USD' and environment = 'sandbox'`) as [
      { balance: string },
    ];
    expect(balance).toBe(expected.toFixed(4));
    const report = await expectClean();
    expect(report.revenue).toEqual([
      {
        currency: "USD",
        environment: "sandbox",
        margins: expected.toFixed(4),
        recognised: expected.toFixed(4),
        otherMovements: "0.0000",
        balance: expected.toFixed(4),
      },
    ]);
  });
});

describe("checkInvariants finds revenue that is not the margin", () => {
  it("revenue other than the order's margin, and revenue on a failed order, each named by order", async () => {
    const partner = await engine.sandboxPartner("Drift");
    const [a, b] = [await order(partner, "30.00"), await order(partner, "20.13")]; // b: refused, failed
    const done = await finished([a.id, b.id]);
    const completed = done.find((o) => o.id === a.id)!;
    await expectClean();
    // The order now says its cards cost nothing: its margin is its whole price, its revenue transfer is not.
    await t.db.update(orders).set({ settledCost: "0.0000" }).where(eq(orders.id, a.id));
    let report = await checkInvariants(t.db);
    expect(report.ok).toBe(false);
    expect(report.revenueMismatches).toEqual([{ orderId: a.id, status: "completed", expected: completed.totalPrice, recognised: margin(completed) }]);
    await t.db.update(orders).set({ settledCost: completed.settledCost }).where(eq(orders.id, a.id));
    // Revenue on a failed order.
    await recognizeOrderRevenue(t.db, [{ orderId: b.id, price: "1.0000", cost: "0.0000", cards: 1, costSource: "estimate" }]);
    report = await checkInvariants(t.db);
    expect(report.ok).toBe(false);
    expect(report.revenueMismatches).toEqual([{ orderId: b.id, status: "failed", expected: "0.0000", recognised: "1.0000" }]);
    expect(report.revenue[0]).toMatchObject({ currency: "USD", environment: "sandbox" });
    expect(new Decimal(report.revenue[0]!.recognised).minus(report.revenue[0]!.margins).toFixed(4)).toBe("1.0000");
  });
});
