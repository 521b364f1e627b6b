import DecimalBase from "decimal.js";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";
import { orders } from "@/server/db/schema";
import { platformRevenue, reverseOrderRevenue } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * Growth metrics (issue 17 item 10): seeded data with known counts gives exactly those numbers
 * in admin.metrics.growth (what the charts draw), empty days included; the platform revenue
 * equals the sum of completed orders' margins minus the refunded ones, to the fourth decimal.
 */

const Decimal = DecimalBase.clone({ precision: 40 });

let t: TestDatabase;
let engine: OrderEngine;
let admin: { id: string };

beforeAll(async () => {
  t = await createTestDatabase(20);
  engine = await startOrderEngine(t, { mock: { fulfilMs: 200 }, batchWindowMs: 100 });
  admin = await makeUser(t.db, { admin: true });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const asAdmin = () => sessionCaller(t.db, admin.id);

async function partnerCreatedAt(name: string, at: string) {
  const id = await makePartner(t.db, name);
  await t.sql`update partners set created_at = ${at}::timestamptz where id = ${id}`;
  await t.sql`insert into partner_milestones (partner_id, milestone, at) values (${id}, 'signed_up', ${at}::timestamptz)`;
  return id;
}

let productId = "";
async function orderAt(partnerId: string, environment: "sandbox" | "live", status: string, at: string) {
  if (!productId) productId = (await t.sql<{ id: string }[]>`select id from catalog_products where sku = ${RANGED_USD}`)[0]!.id;
  const id = newId("ord");
  await t.sql`insert into orders (id, partner_id, environment, reference_id, request_hash, product_id, sku, face_value, quantity, face_currency,
      currency, unit_price, total_price, vendor_cost, status, vendor_request_id, created_by, created_at)
    values (${id}, ${partnerId}, ${environment}, ${id}, 'h', ${productId}, ${RANGED_USD}, 10, 1, 'USD', 'USD', 10, 10, 9, ${status}, ${id}, 'test', ${at}::timestamptz)`;
}

describe("admin.metrics.growth: known counts", () => {
  it("refuses partner users", async () => {
    const partnerId = await makePartner(t.db, "Nosy");
    const owner = await makeUser(t.db, { partnerId, role: "owner" });
    const caller = await sessionCaller(t.db, owner.id);
    expect(await codeOf(caller.admin.metrics.growth({ from: "2026-10-01", to: "2026-10-14" }))).toBe("FORBIDDEN");
    expect(await codeOf((await sessionCaller(t.db, admin.id, { secondFactor: false })).admin.metrics.growth({ from: "2026-10-01", to: "2026-10-14" }))).toBe(
      "FORBIDDEN",
    );
  });

  it("signups, active partners and orders by status per day and per week, empty days with zeros, the range's edges exact", async () => {
    const p1 = await partnerCreatedAt("P1", "2026-10-01T00:00:00Z");
    const p2 = await partnerCreatedAt("P2", "2026-10-01T23:59:59Z");
    const p3 = await partnerCreatedAt("P3", "2026-10-03T12:00:00Z");
    const p4 = await partnerCreatedAt("P4", "2026-10-09T08:00:00Z");
    const p5 = await partnerCreatedAt("P5 (before)", "2026-09-30T23:59:59Z");
    await orderAt(p1, "sandbox", "completed", "2026-10-01T09:00:00Z");
    await orderAt(p1, "sandbox", "failed", "2026-10-01T10:00:00Z");
    await orderAt(p2, "live", "completed", "2026-10-01T23:59:59Z");
    await orderAt(p3, "live", "pending", "2026-10-03T01:00:00Z");
    await orderAt(p1, "live", "processing", "2026-10-03T02:00:00Z");
    await orderAt(p4, "sandbox", "completed", "2026-10-09T09:00:00Z");
    await orderAt(p4, "sandbox", "completed", "2026-10-15T00:00:00Z"); // after the range
    await orderAt(p5, "sandbox", "completed", "2026-09-30T23:59:59Z"); // before the range
    await t.sql`insert into partner_milestones (partner_id, milestone, at) values
      (${p2}, 'go_live_requested', '2026-10-05T00:00:00Z'), (${p3}, 'go_live_requested', '2026-10-20T00:00:00Z'),
      (${p5}, 'go_live_requested', '2026-10-02T00:00:00Z')`;

    const api = await asAdmin();
    const byDay = await api.admin.metrics.growth({ from: "2026-10-01", to: "2026-10-14" });
    expect(byDay.series.map((b) => b.bucket)).toEqual(Array.from({ length: 14 }, (_, i) => `2026-10-${String(i + 1).padStart(2, "0")}`));
    const day = (d: string) => byDay.series.find((b) => b.bucket === d);
    const zero = { signups: 0, activePartners: 0, orders: 0, pending: 0, processing: 0, completed: 0, failed: 0 };
    expect(day("2026-10-01")).toEqual({ bucket: "2026-10-01", signups: 2, activePartners: 2, orders: 3, pending: 0, processing: 0, completed: 2, failed: 1 });
    expect(day("2026-10-02")).toEqual({ bucket: "2026-10-02", ...zero });
    expect(day("2026-10-03")).toEqual({ bucket: "2026-10-03", signups: 1, activePartners: 2, orders: 2, pending: 1, processing: 1, completed: 0, failed: 0 });
    expect(day("2026-10-09")).toEqual({ bucket: "2026-10-09", signups: 1, activePartners: 1, orders: 1, pending: 0, processing: 0, completed: 1, failed: 0 });
    expect(day("2026-10-14")).toEqual({ bucket: "2026-10-14", ...zero });
    expect(byDay.totals).toEqual({ signups: 4, activePartners: 4, orders: 6, pending: 1, processing: 1, completed: 3, failed: 1 });

    const live = await api.admin.metrics.growth({ from: "2026-10-01", to: "2026-10-14", environment: "live" });
    expect(live.totals).toEqual({ signups: 4, activePartners: 3, orders: 3, pending: 1, processing: 1, completed: 1, failed: 0 });
    expect(live.series.find((b) => b.bucket === "2026-10-01")).toMatchObject({ orders: 1, activePartners: 1, completed: 1 });

    // ISO weeks (Monday): 28 Sep (only 1–4 Oct are in the range), 5 Oct, 12 Oct (12–14).
    const byWeek = await api.admin.metrics.growth({ from: "2026-10-01", to: "2026-10-14", granularity: "week" });
    expect(byWeek.series).toEqual([
      { bucket: "2026-09-28", signups: 3, activePartners: 3, orders: 5, pending: 1, processing: 1, completed: 2, failed: 1 },
      { bucket: "2026-10-05", signups: 1, activePartners: 1, orders: 1, pending: 0, processing: 0, completed: 1, failed: 0 },
      { bucket: "2026-10-12", ...zero },
    ]);
    // Active partners over the range are distinct partners, not a sum of buckets (P1 ordered on two days).
    expect(byWeek.totals.activePartners).toBe(4);

    const step = (m: string) => byDay.funnel.find((s) => s.milestone === m)!;
    expect(step("signed_up")).toMatchObject({ reachedInPeriod: 4, ofCohort: 4 });
    // In the period: P2 (5 Oct) and P5 (2 Oct, signed up before it); of the cohort: P2 and P3 (20 Oct, after it).
    expect(step("go_live_requested")).toMatchObject({ reachedInPeriod: 2, ofCohort: 2 });
    expect(step("first_live_order")).toMatchObject({ reachedInPeriod: 0, ofCohort: 0 });
    expect(byDay.money).toEqual([]);
  });

  it("refuses a reversed or too long range", async () => {
    const api = await asAdmin();
    expect(await codeOf(api.admin.metrics.growth({ from: "2026-10-14", to: "2026-10-01" }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.admin.metrics.growth({ from: "2020-01-01", to: "2026-10-01" }))).toBe("BAD_REQUEST");
  });
});

describe("admin.metrics.growth: revenue and margin", () => {
  it("platform revenue = Σ completed orders' margins − the refunded ones, to the fourth decimal; sales = what partners paid net of refunds", async () => {
    // The days the orders and their settlements fall on (two if the test runs across midnight UTC).
    const from = new Date().toISOString().slice(0, 10);
    const partner = await engine.sandboxPartner("Metrics revenue");
    let ref = 0;
    const place = async (faceValue: string, quantity = 1) =>
      (await createOrder(t.db, { partnerId: partner, environment: "sandbox", sku: RANGED_USD, faceValue, quantity, referenceId: `m-${++ref}`, actor: "test" }))
        .order;
    // Completed; partially fulfilled (.50: half the cards); refused (.13); completed then refunded by support.
    const made = [await place("25.00", 2), await place("10.50", 4), await place("20.13"), await place("33.33", 3), await place("12.34")];
    const ids = made.map((o) => o.id);
    const done = await waitFor(
      "orders to finish",
      async () => {
        const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
        return rows.every((o) => o.status === "completed" || o.status === "failed") ? rows : null;
      },
      30_000,
    );
    const refunded = done.find((o) => o.id === made[3]!.id)!;
    expect(refunded.status).toBe("completed");
    await t.db.transaction((tx) => reverseOrderRevenue(tx, { orderId: refunded.id, actor: "test", reason: "support refund" }));

    const margin = (o: (typeof done)[number]) => new Decimal(o.totalPrice).minus(o.refundedAmount).minus(o.settledCost!);
    const completed = done.filter((o) => o.status === "completed");
    expect(completed.length).toBe(4);
    expect(done.filter((o) => o.status === "failed").length).toBe(1);
    const expectedMargin = completed
      .filter((o) => o.id !== refunded.id)
      .reduce((sum, o) => sum.plus(margin(o)), new Decimal(0))
      .toFixed(4);
    const expectedSales = done.reduce((sum, o) => sum.plus(o.totalPrice).minus(o.refundedAmount), new Decimal(0)).toFixed(4);

    const to = new Date().toISOString().slice(0, 10);
    const api = await asAdmin();
    const m = await api.admin.metrics.growth({ from, to, environment: "sandbox" });
    expect(m.moneyTotals).toEqual([{ currency: "USD", environment: "sandbox", sales: expectedSales, margin: expectedMargin, ordersWithMargin: 4 }]);
    if (from === to) expect(m.money).toEqual([{ bucket: to, currency: "USD", environment: "sandbox", sales: expectedSales, margin: expectedMargin }]);
    else {
      const sum = (k: "sales" | "margin") => m.money.reduce((n, b) => n.plus(b[k]), new Decimal(0)).toFixed(4);
      expect([sum("sales"), sum("margin")]).toEqual([expectedSales, expectedMargin]);
    }
    // The ledger's own figure for the admin agrees.
    const [ledger] = await platformRevenue(t.db, { environment: "sandbox" });
    expect(ledger!.revenue).toBe(expectedMargin);
    // Live has none of it.
    expect((await api.admin.metrics.growth({ from, to, environment: "live" })).moneyTotals).toEqual([]);
    expect(m.totals).toMatchObject({ orders: 5, completed: 4, failed: 1, activePartners: 1 });
  });
});
