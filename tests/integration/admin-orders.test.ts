import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "@/lib/crypto";
import { orderCards, orders } from "@/server/db/schema";
import { checkInvariants, findWallet } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { countMockOrders } from "@/server/supplier/mock";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { RANGED_USD, startOrderEngine, TEST_KEY, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * Admin order support (issue 17 item 6): search across partners, the detail with the vendor calls
 * of the order's batch (codes masked), and the actions — re-poll, retry placement (same request
 * id), mark failed and refund (once, with the revenue reversed), cancel a pending order, backfill
 * by date range — each audited in its own transaction, refused for partner users.
 */

let t: TestDatabase;
let engine: OrderEngine;
let adminId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  engine = await startOrderEngine(t);
  adminId = (await makeUser(t.db, { admin: true })).id;
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const admin = () => sessionCaller(t.db, adminId);
let seq = 0;
const order = async (partnerId: string, faceValue = "25.00", ref = `adm-${++seq}`) =>
  (await createOrder(t.db, { partnerId, environment: "sandbox", sku: RANGED_USD, faceValue, quantity: 1, referenceId: ref, actor: "test" })).order;
const statusOf = async (id: string) => (await t.db.select().from(orders).where(eq(orders.id, id)))[0]!;
const until = (id: string, ok: (s: string) => boolean, ms = 20_000) =>
  waitFor(
    `order ${id}`,
    async () => {
      const o = await statusOf(id);
      return ok(o.status) ? o : null;
    },
    ms,
  );
const transfersOf = async (id: string) =>
  t.sql<{ kind: string; amount: string }[]>`select kind::text, amount::text from ledger_transfers where reference = ${id} order by created_at, kind`;
const auditsOf = async (id: string) =>
  t.sql<{ action: string; reason: string | null; actor_user_id: string; before: unknown; after: unknown }[]>`
    select action, reason, actor_user_id, before, after from audit_log where target_id = ${id} order by at, id`;
const balance = async (partnerId: string) => (await findWallet(t.db, partnerId, "sandbox", "USD"))!.balance;

describe("admin order support", () => {
  it("refuses every procedure to a partner owner", async () => {
    const partnerId = await engine.sandboxPartner();
    const owner = await makeUser(t.db, { partnerId, role: "owner" });
    const o = await order(partnerId);
    const api = await sessionCaller(t.db, owner.id);
    const calls: Record<string, Promise<unknown>> = {
      search: api.admin.orders.search({}),
      detail: api.admin.orders.detail({ orderId: o.id }),
      repoll: api.admin.orders.repoll({ orderId: o.id }),
      retryPlacement: api.admin.orders.retryPlacement({ orderId: o.id }),
      refund: api.admin.orders.refund({ orderId: o.id, reason: "customer complaint" }),
      cancel: api.admin.orders.cancel({ orderId: o.id, reason: "customer complaint" }),
      backfill: api.admin.orders.backfill({ from: new Date(Date.now() - 3600_000), to: new Date(), reason: "stuck orders" }),
    };
    for (const [name, p] of Object.entries(calls)) expect(`${name}: ${await codeOf(p)}`).toBe(`${name}: FORBIDDEN`);
    await until(o.id, (s) => s === "completed");
    expect(await auditsOf(o.id)).toEqual([]);
  });

  it("searches across partners by order id, reference, partner, status and date, by cursor", async () => {
    const a = await engine.sandboxPartner("Searchable Alpha");
    const b = await engine.sandboxPartner("Searchable Beta");
    const a1 = await order(a, "25.00", "search-a1");
    const a2 = await order(a, "25.00", "search-a2");
    const b1 = await order(b, "25.00", "search-b1");
    await Promise.all([a1, a2, b1].map((o) => until(o.id, (s) => s === "completed")));
    const api = await admin();
    expect((await api.admin.orders.search({ q: a2.id })).data.map((o) => o.id)).toEqual([a2.id]);
    expect((await api.admin.orders.search({ q: "search-b1" })).data.map((o) => [o.id, o.partnerName])).toEqual([[b1.id, "Searchable Beta"]]);
    expect((await api.admin.orders.search({ partner: "searchable alpha" })).data.map((o) => o.id)).toEqual([a2.id, a1.id]);
    expect((await api.admin.orders.search({ partner: b })).data.map((o) => o.id)).toEqual([b1.id]);
    expect((await api.admin.orders.search({ partner: "Searchable", status: "failed" })).data).toEqual([]);
    const first = await api.admin.orders.search({ partner: "Searchable", status: "completed", limit: 2 });
    expect(first.data.map((o) => o.id)).toEqual([b1.id, a2.id]);
    const next = await api.admin.orders.search({ partner: "Searchable", limit: 2, cursor: first.nextCursor! });
    expect(next).toEqual({ data: [expect.objectContaining({ id: a1.id })], nextCursor: null });
    const future = new Date(Date.now() + 3600_000);
    expect((await api.admin.orders.search({ partner: "Searchable", from: future })).data).toEqual([]);
    expect((await api.admin.orders.search({ partner: "Searchable", to: future, from: new Date(Date.now() - 3600_000) })).data).toHaveLength(3);
  });

  it("shows the order's money, its cards masked and its batch's vendor calls with no card code or PIN in clear", async () => {
    const partnerId = await engine.sandboxPartner();
    const o = await order(partnerId);
    const done = await until(o.id, (s) => s === "completed");
    const detail = await (await admin()).admin.orders.detail({ orderId: o.id });
    expect(detail.order).toMatchObject({ id: o.id, status: "completed", partnerId });
    expect(detail.batch?.id).toBe(done.batchId);
    expect(detail.money.map((m) => m.kind)).toEqual(expect.arrayContaining(["order_debit", "order_revenue"]));
    // The vendor calls are the batch's: logged under its request id, not the order's.
    const requestIds = new Set(detail.vendorCalls.map((c) => c.requestId));
    expect(requestIds).toEqual(new Set([detail.batch!.vendorRequestId]));
    expect(detail.vendorCalls.map((c) => c.kind)).toEqual(expect.arrayContaining(["place_order", "get_order"]));
    expect(detail.vendorCalls.every((c) => c.durationMs >= 0 && c.status !== undefined)).toBe(true);
    const [card] = await t.db.select().from(orderCards).where(eq(orderCards.orderId, o.id));
    const code = decryptSecret(card!.codeEncrypted, TEST_KEY);
    expect(JSON.stringify(detail)).not.toContain(code);
    expect(detail.cards).toEqual([expect.objectContaining({ position: 0, code: "••••••••" })]);
    expect(detail.timeline.map((e) => e.title)).toEqual(expect.arrayContaining(["Order created", "Order completed"]));
    expect(detail.actions.refund.allowed).toBe(true);
    expect(detail.actions.cancel.allowed).toBe(false);
    expect(await codeOf((await admin()).admin.orders.detail({ orderId: "ord_missing" }))).toBe("NOT_FOUND");
  });

  it("refunds a completed order once when clicked twice at the same time: one refund, one revenue reversal, one audit entry", async () => {
    const partnerId = await engine.sandboxPartner();
    const o = await order(partnerId);
    await until(o.id, (s) => s === "completed");
    const before = await balance(partnerId);
    const api = await admin();
    const results = await Promise.all([
      codeOf(api.admin.orders.refund({ orderId: o.id, reason: "cards never worked" })),
      codeOf(api.admin.orders.refund({ orderId: o.id, reason: "cards never worked" })),
    ]);
    expect(results.sort()).toEqual(["CONFLICT", "OK"]);
    const kinds = (await transfersOf(o.id)).map((x) => x.kind);
    expect(kinds.filter((k) => k === "order_refund")).toHaveLength(1);
    expect(kinds.filter((k) => k === "order_revenue_reversal")).toHaveLength(1);
    const revenue = (await transfersOf(o.id)).find((x) => x.kind === "order_revenue")!;
    expect((await transfersOf(o.id)).find((x) => x.kind === "order_revenue_reversal")!.amount).toBe(revenue.amount);
    expect(Number(await balance(partnerId)) - Number(before)).toBeCloseTo(Number(o.totalPrice), 4);
    const audits = await auditsOf(o.id);
    expect(audits).toEqual([
      expect.objectContaining({
        action: "order.refunded",
        reason: "cards never worked",
        actor_user_id: adminId,
        before: expect.objectContaining({ status: "completed" }),
      }),
    ]);
    expect(await statusOf(o.id)).toMatchObject({ status: "failed", failureCode: "refunded_by_admin", refundedAmount: o.totalPrice });
    const report = await checkInvariants(t.db);
    expect(report.revenueMismatches).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("needs a reason to refund, and a refused refund writes no audit entry and moves nothing", async () => {
    const partnerId = await engine.sandboxPartner();
    const o = await order(partnerId, "10.66"); // the mock vendor fails it: the engine refunds it
    await until(o.id, (s) => s === "failed");
    const api = await admin();
    expect(await codeOf(api.admin.orders.refund({ orderId: o.id, reason: "" }))).toBe("BAD_REQUEST");
    const before = await transfersOf(o.id);
    expect(await codeOf(api.admin.orders.refund({ orderId: o.id, reason: "double check" }))).toBe("CONFLICT");
    expect(await transfersOf(o.id)).toEqual(before);
    expect(await auditsOf(o.id)).toEqual([]);
  });

  it("marks an order stuck on a wrong delivery failed and refunds it (nothing recognised, nothing reversed)", async () => {
    const partnerId = await engine.sandboxPartner();
    const before = await balance(partnerId);
    const o = await order(partnerId, "10.88"); // the mock delivers cards of another face value: left processing for an admin
    await waitFor("the delivery mismatch", async () => {
      const [issue] = await t.sql`select 1 from reconciliation_issues where order_id = ${o.id} and kind = 'delivery_mismatch'`;
      return issue ?? null;
    });
    expect((await statusOf(o.id)).status).toBe("processing");
    const api = await admin();
    const detail = await api.admin.orders.detail({ orderId: o.id });
    expect(detail.reconciliationIssues.map((i) => i.kind)).toEqual(["delivery_mismatch"]);
    const r = await api.admin.orders.refund({ orderId: o.id, reason: "vendor delivered the wrong cards" });
    expect(r).toMatchObject({ refunded: o.totalPrice, revenueReversed: null });
    expect(await balance(partnerId)).toBe(before);
    expect((await transfersOf(o.id)).map((x) => x.kind).sort()).toEqual(["order_debit", "order_refund"]);
    expect((await auditsOf(o.id)).map((a) => a.action)).toEqual(["order.refunded"]);
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });

  it("cancels an order waiting for its batch (refunded once); a placed order is refused and nothing moves", async () => {
    const partnerId = await engine.sandboxPartner();
    const api = await admin();
    // Placed: the mock takes five times as long over a .77 order.
    const placed = await order(partnerId, "10.77");
    await until(placed.id, (s) => s === "processing");
    const balanceBefore = await balance(partnerId);
    const transfersBefore = await transfersOf(placed.id);
    const refused = await api.admin.orders.cancel({ orderId: placed.id, reason: "partner asked" }).catch((e: Error) => e);
    expect(refused).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/refused/) });
    expect(await balance(partnerId)).toBe(balanceBefore);
    expect(await transfersOf(placed.id)).toEqual(transfersBefore);
    expect(await auditsOf(placed.id)).toEqual([]);

    await engine.stopWorker();
    try {
      const waiting = await order(partnerId, "12.00");
      const afterDebit = await balance(partnerId);
      expect(await codeOf(api.admin.orders.cancel({ orderId: waiting.id, reason: "" }))).toBe("BAD_REQUEST");
      const [one, two] = await Promise.all([
        codeOf(api.admin.orders.cancel({ orderId: waiting.id, reason: "partner asked" })),
        codeOf(api.admin.orders.cancel({ orderId: waiting.id, reason: "partner asked" })),
      ]);
      expect([one, two].sort()).toEqual(["CONFLICT", "OK"]);
      expect(await statusOf(waiting.id)).toMatchObject({ status: "failed", failureCode: "order_cancelled" });
      expect(Number(await balance(partnerId)) - Number(afterDebit)).toBeCloseTo(Number(waiting.totalPrice), 4);
      expect((await transfersOf(waiting.id)).map((x) => x.kind).sort()).toEqual(["order_debit", "order_refund"]);
      expect((await auditsOf(waiting.id)).map((a) => [a.action, a.reason])).toEqual([["order.cancelled", "partner asked"]]);
    } finally {
      await engine.startWorker();
    }
    await until(placed.id, (s) => s === "completed", 30_000);
  });

  it("retries a placement under the same vendor request id: one purchase at the vendor", async () => {
    const partnerId = await engine.sandboxPartner();
    const api = await admin();
    await engine.stopWorker();
    let o: Awaited<ReturnType<typeof order>>;
    try {
      o = await order(partnerId);
      // Its run is still to start (the event waits in the outbox): the retry is refused.
      expect(await codeOf(api.admin.orders.retryPlacement({ orderId: o.id }))).toBe("CONFLICT");
      // The event was lost (dispatched, no run): the retry sends it again, once.
      await t.sql`update job_events set status = 'dispatched' where data->>'orderId' = ${o.id}`;
      const r = await api.admin.orders.retryPlacement({ orderId: o.id, reason: "run lost" });
      expect(r.orderId).toBe(o.id);
      expect(await codeOf(api.admin.orders.retryPlacement({ orderId: o.id }))).toBe("CONFLICT");
    } finally {
      await engine.startWorker();
    }
    const done = await until(o.id, (s) => s === "completed");
    const [batch] = await t.sql<{ vendor_request_id: string }[]>`select vendor_request_id from vendor_batches where id = ${done.batchId}`;
    const places = await t.sql<
      { request_id: string }[]
    >`select request_id from vendor_calls where kind = 'place_order' and request_id = ${batch!.vendor_request_id}`;
    expect(places.length).toBeGreaterThan(0);
    expect(await countMockOrders(t.db, batch!.vendor_request_id)).toBe(1);

    // Placed at the batch's request id: a second placement is refused (re-poll instead), and so is a retry of a finished order.
    expect(await codeOf(api.admin.orders.retryPlacement({ orderId: o.id }))).toBe("CONFLICT");
    expect((await auditsOf(o.id)).map((a) => a.action)).toEqual(["order.retry_placement"]);
    expect(await countMockOrders(t.db, batch!.vendor_request_id)).toBe(1);
  });

  it("re-polls an order at the vendor now (its batch due, the poller woken), audited; not one that is finished", async () => {
    const partnerId = await engine.sandboxPartner();
    const api = await admin();
    const o = await order(partnerId, "10.77");
    const processing = await until(o.id, (s) => s === "processing");
    const r = await api.admin.orders.repoll({ orderId: o.id });
    expect(r.batchId).toBe(processing.batchId);
    const [woken] = await t.sql`select 1 from job_events where name = 'supplier/poll.requested' and key like ${`admin-repoll:${processing.batchId}:%`}`;
    expect(woken).toBeDefined();
    expect((await auditsOf(o.id)).map((a) => a.action)).toEqual(["order.repoll"]);
    await until(o.id, (s) => s === "completed", 30_000);
    expect(await codeOf(api.admin.orders.repoll({ orderId: o.id }))).toBe("CONFLICT");
    expect((await auditsOf(o.id)).map((a) => a.action)).toEqual(["order.repoll"]);
  });

  it("backfills by date range: only stuck orders created in it are re-driven, with one audit entry", async () => {
    const funded = await engine.sandboxPartner("Backfill Funded");
    const api = await admin();
    await engine.stopWorker();
    try {
      const inRange = await order(funded);
      const outOfRange = await order(funded);
      // Both runs were lost, both orders stale; one was created two days ago.
      await t.sql`update job_events set status = 'dispatched' where data->>'orderId' in (${inRange.id}, ${outOfRange.id})`;
      await t.sql`update orders set updated_at = now() - interval '2 hours' where id in (${inRange.id}, ${outOfRange.id})`;
      await t.sql`update orders set created_at = now() - interval '2 days' where id = ${outOfRange.id}`;
      const from = new Date(Date.now() - 3600_000);
      const to = new Date(Date.now() + 60_000);
      expect(await codeOf(api.admin.orders.backfill({ from, to, reason: "" }))).toBe("BAD_REQUEST");
      expect(await codeOf(api.admin.orders.backfill({ from: to, to: from, reason: "stuck after outage" }))).toBe("BAD_REQUEST");
      const r = await api.admin.orders.backfill({ from, to, reason: "stuck after outage" });
      expect(r.orderIds).toEqual([inRange.id]);
      const events = await t.sql`select data->>'orderId' as id from job_events where name = 'order/created' and status = 'pending'`;
      expect(events.map((e) => e.id)).toEqual([inRange.id]);
      const [audit] = await t.sql`select action, reason, metadata from audit_log where action = 'orders.backfill'`;
      expect(audit).toMatchObject({ action: "orders.backfill", reason: "stuck after outage", metadata: expect.objectContaining({ orders: 1 }) });
      // Its run is now pending: a second backfill leaves it alone.
      await t.sql`update orders set updated_at = now() - interval '2 hours' where id = ${inRange.id}`;
      expect((await api.admin.orders.backfill({ from, to, reason: "again" })).orderIds).toEqual([]);
    } finally {
      await engine.startWorker();
    }
  });
});
