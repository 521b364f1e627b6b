import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemberRole } from "@/server/auth/session-user";
import { auditLog, orders } from "@/server/db/schema";
import { createOrder } from "@/server/orders/create";
import * as eventsRoute from "@/app/api/v1/orders/[id]/events/route";
import { createApiKey } from "@/server/keys";
import { bindAppDatabase, call, flushRequestLog } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";
import { codeOf, sessionCaller } from "../support/callers";

let t: TestDatabase;
let engine: OrderEngine;
let partnerA: string;
let partnerB: string;
let completedId: string;
let otherId: string;
const users: Partial<Record<MemberRole, string>> = {};
let ownerB: string;

const callerFor = (userId: string) => sessionCaller(t.db, userId);

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  engine = await startOrderEngine(t);
  await engine.startWorker();
  partnerA = await engine.sandboxPartner("Partner A");
  partnerB = await engine.sandboxPartner("Partner B");
  for (const role of ["owner", "developer", "finance"] as const) users[role] = (await makeUser(t.db, { partnerId: partnerA, role })).id;
  ownerB = (await makeUser(t.db, { partnerId: partnerB, role: "owner" })).id;
  const a1 = await createOrder(t.db, {
    partnerId: partnerA,
    environment: "sandbox",
    sku: RANGED_USD,
    faceValue: "25.00",
    quantity: 2,
    referenceId: "inv-1001",
    actor: "test",
  });
  const a2 = await createOrder(t.db, {
    partnerId: partnerA,
    environment: "sandbox",
    sku: RANGED_USD,
    faceValue: "10.00",
    quantity: 1,
    referenceId: "po-2002",
    actor: "test",
  });
  completedId = a1.order.id;
  otherId = a2.order.id;
  await createOrder(t.db, {
    partnerId: partnerB,
    environment: "sandbox",
    sku: RANGED_USD,
    faceValue: "5.00",
    quantity: 1,
    referenceId: "inv-1001",
    actor: "test",
  });
  await waitFor("orders completed", async () => {
    const rows = await t.db.select({ s: orders.status }).from(orders);
    return rows.every((r) => r.s === "completed" || r.s === "failed");
  });
}, 60_000);

afterAll(async () => {
  await flushRequestLog();
  await engine?.stop();
  await t?.close();
});

describe("dashboard procedures: role matrix and tenant isolation", () => {
  it("gives each role exactly what the matrix says", async () => {
    const ref = { environment: "sandbox" as const, orderId: completedId };
    // procedure → roles allowed (owner always)
    const matrix: Array<[string, (api: Awaited<ReturnType<typeof callerFor>>) => Promise<unknown>, MemberRole[]]> = [
      ["overview", (api) => api.dashboard.overview({ environment: "sandbox" }), ["owner", "developer", "finance"]],
      ["orders.list", (api) => api.dashboard.orders.list({ environment: "sandbox" }), ["owner", "developer", "finance"]],
      ["orders.exportCsv", (api) => api.dashboard.orders.exportCsv({ environment: "sandbox" }), ["owner", "developer", "finance"]],
      ["orders.get", (api) => api.dashboard.orders.get(ref), ["owner", "developer", "finance"]],
      ["orders.timeline", (api) => api.dashboard.orders.timeline(ref), ["owner", "developer", "finance"]],
      ["orders.revealCards", (api) => api.dashboard.orders.revealCards(ref), ["owner", "developer"]],
      // a reused reference returns the first order: nothing is bought twice by this matrix
      [
        "orders.buy",
        (api) => api.dashboard.orders.buy({ environment: "sandbox", sku: RANGED_USD, faceValue: "25.00", quantity: 2, referenceId: "inv-1001" }),
        ["owner", "developer"],
      ],
    ];
    for (const [name, call, allowed] of matrix) {
      for (const role of ["owner", "developer", "finance"] as const) {
        const got = await codeOf(call(await callerFor(users[role]!)));
        expect(`${name} as ${role}: ${got}`).toBe(`${name} as ${role}: ${allowed.includes(role) ? "OK" : "FORBIDDEN"}`);
      }
    }
  });

  it("answers NOT_FOUND to partner B for partner A's order ids, and lists only B's orders", async () => {
    const asB = await callerFor(ownerB);
    for (const orderId of [completedId, otherId]) {
      const ref = { environment: "sandbox" as const, orderId };
      expect(await codeOf(asB.dashboard.orders.get(ref))).toBe("NOT_FOUND");
      expect(await codeOf(asB.dashboard.orders.timeline(ref))).toBe("NOT_FOUND");
      expect(await codeOf(asB.dashboard.orders.revealCards(ref))).toBe("NOT_FOUND");
    }
    const list = await asB.dashboard.orders.list({ environment: "sandbox", referenceId: "inv-1001" });
    expect(list.data).toHaveLength(1);
    expect(list.data[0]!.id).not.toBe(completedId);
    expect((await asB.dashboard.orders.exportCsv({ environment: "sandbox" })).csv).not.toContain(completedId);
    // A's sandbox order is not in A's live environment either
    const asA = await callerFor(users.owner!);
    expect(await codeOf(asA.dashboard.orders.get({ environment: "live", orderId: completedId }))).toBe("NOT_FOUND");
  });
});

describe("dashboard orders", () => {
  it("filters by status, reference, product, search and dates, and pages by cursor", async () => {
    const api = await callerFor(users.finance!);
    const all = await api.dashboard.orders.list({ environment: "sandbox" });
    expect(all.data.map((o) => o.id)).toEqual([otherId, completedId]);
    expect((await api.dashboard.orders.list({ environment: "sandbox", referenceId: "po-2002" })).data.map((o) => o.id)).toEqual([otherId]);
    expect((await api.dashboard.orders.list({ environment: "sandbox", q: "INV-10" })).data.map((o) => o.id)).toEqual([completedId]);
    expect((await api.dashboard.orders.list({ environment: "sandbox", sku: RANGED_USD })).data).toHaveLength(2);
    expect((await api.dashboard.orders.list({ environment: "sandbox", sku: "BAM-000000" })).data).toHaveLength(0);
    expect((await api.dashboard.orders.list({ environment: "sandbox", status: "pending" })).data).toHaveLength(0);
    expect((await api.dashboard.orders.list({ environment: "sandbox", from: "2000-01-01", to: "2000-01-02" })).data).toHaveLength(0);
    const page1 = await api.dashboard.orders.list({ environment: "sandbox", limit: 1 });
    expect(page1.data.map((o) => o.id)).toEqual([otherId]);
    const page2 = await api.dashboard.orders.list({ environment: "sandbox", limit: 1, after: page1.nextCursor! });
    expect(page2.data.map((o) => o.id)).toEqual([completedId]);
    expect(page2.nextCursor).toBeNull();
    const oldest = await api.dashboard.orders.list({ environment: "sandbox", sort: "created" });
    expect(oldest.data.map((o) => o.id)).toEqual([completedId, otherId]);
  });

  it("exports the filtered set as CSV with decimal strings as stored", async () => {
    const api = await callerFor(users.finance!);
    const { csv, rows } = await api.dashboard.orders.exportCsv({ environment: "sandbox", q: "inv" });
    expect(rows).toBe(1);
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("id,createdAt,status,referenceId,sku,faceValue,faceCurrency,quantity,cardsDelivered,totalPrice,refundedAmount,currency");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${completedId},`);
    expect(lines[1]).toContain(",inv-1001,BAM-990001,25.0000,USD,2,");
  });

  it("builds the order's timeline: created, paid, supplier calls (masked), completed", async () => {
    const api = await callerFor(users.developer!);
    const events = await api.dashboard.orders.timeline({ environment: "sandbox", orderId: completedId });
    const kinds = events.map((e) => e.kind);
    expect(kinds[0]).toBe("state");
    expect(events[0]!.title).toBe("Order created");
    expect(kinds).toContain("payment");
    expect(events.some((e) => e.kind === "supplier_call" && e.title === "Supplier: place order")).toBe(true);
    expect(events.some((e) => e.kind === "state" && e.title === "Order completed")).toBe(true);
    expect([...events.map((e) => e.at)]).toEqual([...events.map((e) => e.at)].sort());
    // masked: no vendor bodies or ids in what the partner sees
    const text = JSON.stringify(events);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, completedId));
    expect(text).not.toContain(row!.vendorRequestId);
    if (row!.vendorOrderId) expect(text).not.toContain(row!.vendorOrderId);
  });

  it("reveals card codes on demand and audits each reveal", async () => {
    const api = await callerFor(users.developer!);
    const audits = () =>
      t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "order.cards_revealed"), eq(auditLog.targetId, completedId), eq(auditLog.actorUserId, users.developer!)));
    const before = (await audits()).length;
    const cards = await api.dashboard.orders.revealCards({ environment: "sandbox", orderId: completedId });
    expect(cards).toHaveLength(2);
    expect(cards[0]!.code).toMatch(/\S{6,}/);
    await api.dashboard.orders.revealCards({ environment: "sandbox", orderId: completedId });
    const after = await audits();
    expect(after.length).toBe(before + 2);
    expect(after.every((a) => a.partnerId === partnerA && a.targetType === "order")).toBe(true);
    // the order without cards: get never carries codes
    expect(await api.dashboard.orders.get({ environment: "sandbox", orderId: completedId })).not.toHaveProperty("cards");
  });

  it("shows balances with a 30-day forecast from the wallet's own spend", async () => {
    const api = await callerFor(users.finance!);
    const o = await api.dashboard.overview({ environment: "sandbox" });
    expect(o.usage.totals.orders).toBe(2);
    const usd = o.wallets.find((w) => w.currency === "USD")!;
    expect(usd).toBeDefined();
    const spend = o.usage.spend.find((s) => s.currency === "USD")!.spend;
    expect(spend).toMatch(/^\d+\.\d{4}$/);
    expect(usd.forecast.daysLeft).not.toBeNull();
    expect(usd.forecast.suggestedTopUp).toMatch(/^\d+\.0000$/);
  });

  it("buys cards through the API's order path, idempotent on the form's reference, with field errors for the form", async () => {
    const api = await callerFor(users.developer!);
    const input = { environment: "sandbox" as const, sku: RANGED_USD, faceValue: "3.00", quantity: 1, referenceId: "desk-1" };
    const first = await api.dashboard.orders.buy(input);
    expect(first.created).toBe(true);
    const again = await api.dashboard.orders.buy(input);
    expect(again).toMatchObject({ created: false, order: { id: first.order.id } });
    const [row] = await t.db.select().from(orders).where(eq(orders.id, first.order.id));
    expect(row).toMatchObject({ source: "dashboard", createdBy: users.developer, partnerId: partnerA });
    expect(await t.db.$count(orders, and(eq(orders.partnerId, partnerA), eq(orders.referenceId, "desk-1")))).toBe(1);
    // same reference, other input: a conflict, not a second order
    expect(await codeOf(api.dashboard.orders.buy({ ...input, quantity: 2 }))).toBe("CONFLICT");
    // the form's own schema refuses on the server too, by field
    const bad = await api.dashboard.orders.buy({ ...input, faceValue: "1,5", referenceId: "desk-2" }).catch((e: TRPCError) => e);
    expect(bad).toBeInstanceOf(TRPCError);
    expect((bad as TRPCError).code).toBe("BAD_REQUEST");
    // live needs go-live approval
    expect(await codeOf(api.dashboard.orders.buy({ ...input, environment: "live", referenceId: "desk-live" }))).not.toBe("OK");
  });

  it("serves the same timeline at GET /api/v1/orders/{id}/events, tenant-isolated", async () => {
    const keyOf = async (partnerId: string) => (await createApiKey(t.db, { partnerId, environment: "sandbox", name: "t", actor: "test" })).secret;
    const [keyA, keyB] = [await keyOf(partnerA), await keyOf(partnerB)];
    const path = `/api/v1/orders/${completedId}/events`;
    const mine = await call(eventsRoute.GET, path, { key: keyA, params: { id: completedId } });
    expect(mine.status).toBe(200);
    const viaTrpc = await (await callerFor(users.owner!)).dashboard.orders.timeline({ environment: "sandbox", orderId: completedId });
    expect(mine.json.data).toEqual(viaTrpc);
    const theirs = await call(eventsRoute.GET, path, { key: keyB, params: { id: completedId } });
    expect(theirs.status).toBe(404);
    expect(theirs.json.error.code).toBe("resource_not_found");
  });
});
