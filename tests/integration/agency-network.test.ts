import { randomUUID } from "node:crypto";
import DecimalBase from "decimal.js";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, ledgerTransfers, orders, partners } from "@/server/db/schema";
import { checkInvariants, getOrCreateWallet, refundOrder, reverseOrderRevenue } from "@/server/ledger";
import { commissionOf } from "@/server/ledger/commission";
import type { Db } from "@/server/db/client";
import { createOrder, type Order } from "@/server/orders/create";
import { setPartnerStatus } from "@/server/partners/admin";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * The agency network (issue 18 items 1–3) over the real order engine and the mock vendor:
 * admins convert, share and move; agents create, fund, recall and limit their own sub-agents
 * only; limits and a suspended agent refuse a sale inside its statement (nothing debited);
 * commission is credited once per completed order and reversed once per refund; the ledger's
 * invariants hold throughout.
 */

const Decimal = DecimalBase.clone({ precision: 40 });

let t: TestDatabase;
let engine: OrderEngine;
let admin: { id: string };
let agentA: string;
let agentB: string;
let direct: string;
let ownerA: { id: string };
let financeA: { id: string };
let ownerB: { id: string };
let ownerDirect: { id: string };
let subA: string;
let ownerSubA: { id: string };

const as = (user: { id: string }) => sessionCaller(t.db, user.id, { services: engine.services });
const key = () => `k-${randomUUID()}`;

async function balance(partnerId: string) {
  return (await getOrCreateWallet(t.db, partnerId, "sandbox", "USD")).balance;
}

async function auditCount(action: string, targetId?: string) {
  const rows = await t.db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(targetId ? and(eq(auditLog.action, action), eq(auditLog.targetId, targetId)) : eq(auditLog.action, action));
  return rows.length;
}

let refSeq = 0;
const sell = (partnerId: string, faceValue: string, quantity = 1) =>
  createOrder(t.db, { partnerId, environment: "sandbox", sku: RANGED_USD, faceValue, quantity, referenceId: `ag-${++refSeq}`, actor: "test" });

async function finished(ids: string[]) {
  return waitFor(`orders ${ids.join(", ")} to finish`, async () => {
    const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
    return rows.length === ids.length && rows.every((o) => o.status === "completed" || o.status === "failed") ? rows : null;
  });
}

async function expectClean() {
  const report = await checkInvariants(t.db);
  expect(report.commissionMismatches).toEqual([]);
  expect(report.ok, JSON.stringify(report).slice(0, 800)).toBe(true);
}

beforeAll(async () => {
  t = await createTestDatabase(20);
  engine = await startOrderEngine(t, { mock: { fulfilMs: 200 } });
  admin = await makeUser(t.db, { admin: true });
  agentA = await engine.sandboxPartner("Agent Alpha");
  agentB = await engine.sandboxPartner("Agent Beta");
  direct = await engine.sandboxPartner("Direct Delta");
  ownerA = await makeUser(t.db, { partnerId: agentA, role: "owner" });
  financeA = await makeUser(t.db, { partnerId: agentA, role: "finance" });
  ownerB = await makeUser(t.db, { partnerId: agentB, role: "owner" });
  ownerDirect = await makeUser(t.db, { partnerId: direct, role: "owner" });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

describe("admin: the network's shape", () => {
  it("refuses partner users every admin agency procedure", async () => {
    const c = await as(ownerA);
    expect(await codeOf(c.admin.agency.tree({ environment: "sandbox" }))).toBe("FORBIDDEN");
    expect(await codeOf(c.admin.agency.agents())).toBe("FORBIDDEN");
    expect(await codeOf(c.admin.agency.candidates({ q: "Agent" }))).toBe("FORBIDDEN");
    expect(await codeOf(c.admin.agency.node({ partnerId: agentA }))).toBe("FORBIDDEN");
    expect(await codeOf(c.admin.agency.convert({ partnerId: agentA, revenueShareBps: 1000 }))).toBe("FORBIDDEN");
    expect(await codeOf(c.admin.agency.setRevenueShare({ agentId: agentA, revenueShareBps: 1000, reason: "x" }))).toBe("FORBIDDEN");
    expect(await codeOf(c.admin.agency.move({ subAgentId: agentA, toAgentId: agentB, reason: "x" }))).toBe("FORBIDDEN");
    expect(await t.db.select().from(partners).where(eq(partners.kind, "agent"))).toEqual([]);
  });

  it("converts a partner into an agent with a share (history and one audit entry), once", async () => {
    const c = await as(admin);
    expect((await c.admin.agency.candidates({ q: "Agent" })).map((p) => p.businessName)).toEqual(["Agent Alpha", "Agent Beta"]);
    await c.admin.agency.convert({ partnerId: agentA, revenueShareBps: 1000, reason: "signed the agency contract" });
    await c.admin.agency.convert({ partnerId: agentB, revenueShareBps: 2500 });
    expect(await codeOf(c.admin.agency.convert({ partnerId: agentA, revenueShareBps: 500 }))).toBe("BAD_REQUEST");
    const [a] = await t.db.select().from(partners).where(eq(partners.id, agentA));
    expect(a!.kind).toBe("agent");
    expect(await auditCount("agency.converted_to_agent", agentA)).toBe(1);
    const { history } = await c.admin.agency.node({ partnerId: agentA });
    expect(history.map((h) => [h.event, h.toKind, h.toShareBps])).toEqual([["converted_to_agent", "agent", 1000]]);
    expect((await c.admin.agency.agents()).map((x) => x.id).sort()).toEqual([agentA, agentB].sort());
  });
});

describe("agent: sub-agents, money, limits", () => {
  it("only an agent's team reaches the agency procedures; the agent creates a sub-agent with an owner invitation", async () => {
    const d = await as(ownerDirect);
    expect(await codeOf(d.agency.overview({ environment: "sandbox" }))).toBe("FORBIDDEN");
    expect(await codeOf(d.agency.create({ businessName: "X", contactEmail: "x@x.test", ownerEmail: "o@x.test" }))).toBe("FORBIDDEN");
    // Finance may not create (owner only).
    expect(await codeOf((await as(financeA)).agency.create({ businessName: "X", contactEmail: "x@x.test", ownerEmail: "o@x.test" }))).toBe("FORBIDDEN");

    const c = await as(ownerA);
    const made = await c.agency.create({ businessName: "Corner Shop", contactEmail: "shop@corner.test", ownerEmail: "owner@corner.test" });
    subA = made.subAgentId;
    expect(made.invitation.email).toBe("owner@corner.test");
    const [row] = await t.db.select().from(partners).where(eq(partners.id, subA));
    expect(row).toMatchObject({ kind: "sub_agent", parentId: agentA, signupSource: "agent" });
    ownerSubA = await makeUser(t.db, { partnerId: subA, role: "owner" });
    expect((await c.agency.overview({ environment: "sandbox" })).subAgents.map((s) => s.id)).toEqual([subA]);
  });

  it("a sub-agent's team and another agent reach none of it (every procedure tried)", async () => {
    const tries = (c: Awaited<ReturnType<typeof as>>) => [
      c.agency.overview({ environment: "sandbox" }),
      c.agency.create({ businessName: "Y", contactEmail: "y@y.test", ownerEmail: "oy@y.test" }),
      c.agency.get({ subAgentId: subA }),
      c.agency.fund({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "1.00", idempotencyKey: key() }),
      c.agency.recall({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "1.00", idempotencyKey: key() }),
      c.agency.payout({ environment: "sandbox", currency: "USD", amount: "1.00", idempotencyKey: key() }),
      c.agency.setLimits({ subAgentId: subA, currency: "USD", dailyCap: "1.00" }),
      c.agency.orders({ subAgentId: subA, environment: "sandbox" }),
    ];
    const sub = await as(ownerSubA);
    expect(await Promise.all(tries(sub).map(codeOf))).toEqual(Array(8).fill("FORBIDDEN"));
    // Agent B: its own overview works but A's sub-agent reads as unknown.
    const b = await as(ownerB);
    const codes = await Promise.all(tries(b).map(codeOf));
    // Its own payout finds its own (empty) commission account: refused for the amount, not for access.
    expect(codes).toEqual(["OK", "OK", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "PAYMENT_REQUIRED", "NOT_FOUND", "NOT_FOUND"]);
    expect((await b.agency.overview({ environment: "sandbox" })).subAgents.map((s) => s.businessName)).toEqual(["Y"]);
    expect(await balance(subA)).toBe("0.0000");
  });

  it("funds a sub-agent once per key (a double click moves money once), and a recall never exceeds its balance", async () => {
    const c = await as(financeA);
    const before = await balance(agentA);
    const k = key();
    const [one, two] = await Promise.all([
      c.agency.fund({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "200.00", idempotencyKey: k }),
      c.agency.fund({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "200.00", idempotencyKey: k }),
    ]);
    expect(one.transfer.id).toBe(two.transfer.id);
    expect([one.created, two.created].sort()).toEqual([false, true]);
    expect(await balance(subA)).toBe("200.0000");
    expect(await balance(agentA)).toBe(new Decimal(before).minus(200).toFixed(4));
    expect(await auditCount("agency.sub_agent_funded", subA)).toBe(1);

    // More than the agent holds: refused, nothing moved, no audit.
    const big = c.agency.fund({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "100000.00", idempotencyKey: key() });
    await expect(big).rejects.toThrow(/you can fund at most/);
    // A recall above the sub-agent's balance: refused with its balance, nothing moved, no audit.
    const over = c.agency.recall({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "200.01", idempotencyKey: key() });
    await expect(over).rejects.toThrow(/holds 200\.0000 USD: you can recall at most that/);
    expect(await codeOf(c.agency.recall({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "200.01", idempotencyKey: key() }))).toBe(
      "PAYMENT_REQUIRED",
    );
    expect(await auditCount("agency.sub_agent_recalled", subA)).toBe(0);
    const r = await c.agency.recall({ environment: "sandbox", subAgentId: subA, currency: "USD", amount: "50.00", idempotencyKey: key() });
    expect(r.debitBalance).toBe("150.0000");
    expect(await balance(subA)).toBe("150.0000");
    expect(await auditCount("agency.sub_agent_recalled", subA)).toBe(1);
    await expectClean();
  });

  it("limits: a sale over the daily cap is refused with a clear message and nothing is debited; concurrent sales cannot both pass", async () => {
    const c = await as(ownerA);
    // What one card of face 10.00 costs the sub-agent.
    const first = (await sell(subA, "10.00")).order;
    const price = first.totalPrice;
    await c.agency.setLimits({ subAgentId: subA, currency: "USD", dailyCap: new Decimal(price).times(3).toFixed(2), perOrderCap: "100.00" });
    expect(await auditCount("agency.limits_set", subA)).toBe(1);

    // Per-order cap.
    const before = await balance(subA);
    await expect(sell(subA, "150.00")).rejects.toMatchObject({ code: "sale_over_per_order_cap" });
    expect(await balance(subA)).toBe(before);

    // Sold today: 1 × price; cap 3 × price. Four concurrent sales of one card: exactly two pass.
    const results = await Promise.allSettled([sell(subA, "10.00"), sell(subA, "10.00"), sell(subA, "10.00"), sell(subA, "10.00")]);
    const passed = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(passed).toHaveLength(2);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.reason).toMatchObject({ code: "sale_over_daily_cap" });
      expect(String(r.reason.message)).toMatch(/past your daily sales limit of .* USD set by your agent .*Nothing was charged/);
    }
    expect(await balance(subA)).toBe(new Decimal(before).minus(new Decimal(price).times(2)).toFixed(4));
    const made = await t.db.select().from(orders).where(eq(orders.partnerId, subA));
    expect(made).toHaveLength(3);
    await finished(made.map((o) => o.id));
    // Lift the cap for what follows.
    await c.agency.setLimits({ subAgentId: subA, currency: "USD" });
    await expectClean();
  });

  it("the daily cap is checked under the sub-agent's lock: a sale waits for a concurrent one to commit, then counts it", async () => {
    const c = await as(ownerA);
    const price = (await t.db.select().from(orders).where(eq(orders.partnerId, subA)).limit(1))[0]!.totalPrice;
    const [{ sold }] = (await t.sql`select coalesce(sum(total_price - refunded_amount), 0)::numeric(19,4)::text as sold from orders
      where partner_id = ${subA} and status <> 'failed' and created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'`) as unknown as [
      { sold: string },
    ];
    await c.agency.setLimits({ subAgentId: subA, currency: "USD", dailyCap: new Decimal(sold).plus(new Decimal(price).times(2)).toFixed(4) });
    const inTx = (tx: unknown, n: number) =>
      createOrder(tx as Db, {
        partnerId: subA,
        environment: "sandbox",
        sku: RANGED_USD,
        faceValue: "10.00",
        quantity: 1,
        referenceId: `lock-${n}`,
        actor: "test",
      });
    let other: Promise<string> | undefined;
    await t.db.transaction(async (tx) => {
      // What every sale of the sub-agent does first: takes its limits row (and nothing else yet).
      await tx.execute(sql`select agency_sale_check(${subA}, 'sandbox', 'USD', ${price}::numeric)`);
      other = sell(subA, "10.00").then(
        () => "sold",
        (e) => String(e.code ?? e),
      );
      await new Promise((r) => setTimeout(r, 400));
      expect(await Promise.race([other, new Promise((r) => setTimeout(() => r("waiting"), 10))])).toBe("waiting");
      await inTx(tx, 1);
      await inTx(tx, 2); // the day now reaches the cap exactly
    });
    expect(await other).toBe("sale_over_daily_cap");
    const made = await t.db
      .select()
      .from(orders)
      .where(and(eq(orders.partnerId, subA), inArray(orders.referenceId, ["lock-1", "lock-2"])));
    await finished(made.map((o) => o.id));
    await c.agency.setLimits({ subAgentId: subA, currency: "USD" });
  });

  it("a suspended agent stops its sub-agents' sales with a clear message (nothing debited), and reactivating resumes them", async () => {
    await setPartnerStatus(t.db, { partnerId: agentA, status: "suspended", reason: "contract review", actor: admin.id });
    const before = await balance(subA);
    await expect(sell(subA, "10.00")).rejects.toMatchObject({ code: "agent_suspended", message: expect.stringMatching(/Agent Alpha.*is suspended/) });
    expect(await balance(subA)).toBe(before);
    await setPartnerStatus(t.db, { partnerId: agentA, status: "active", reason: "review done", actor: admin.id });
    const { order } = await sell(subA, "10.00");
    await finished([order.id]);
  });
});

describe("revenue share", () => {
  const commissionTransfers = (orderId: string) =>
    t.db
      .select()
      .from(ledgerTransfers)
      .where(and(inArray(ledgerTransfers.kind, ["agent_commission", "agent_commission_reversal"]), eq(ledgerTransfers.reference, orderId)));

  it("credits the agent its share of each completed order's margin, once; a direct partner's order pays none", async () => {
    const { order } = await sell(subA, "25.00", 2);
    const { order: directOrder } = await sell(direct, "25.00");
    const [done] = (await finished([order.id, directOrder.id])).filter((o) => o.id === order.id) as Order[];
    expect(done!.status).toBe("completed");
    const margin = new Decimal(done!.totalPrice).minus(done!.refundedAmount).minus(done!.settledCost!).toFixed(4);
    const [c] = await commissionTransfers(order.id);
    expect(c).toMatchObject({ kind: "agent_commission", amount: commissionOf(margin, 1000) });
    expect(c!.metadata).toMatchObject({ agentId: agentA, subAgentId: subA, margin, shareBps: 1000 });
    expect(await commissionTransfers(directOrder.id)).toEqual([]);
    await expectClean();
  });

  it("reverses the commission exactly once when the completed order is refunded", async () => {
    const { order } = await sell(subA, "30.00");
    await finished([order.id]);
    const refund = () =>
      t.db.transaction(async (tx) => {
        await refundOrder(tx, { orderId: order.id, actor: admin.id, reason: "customer complaint" });
        await reverseOrderRevenue(tx, { orderId: order.id, actor: admin.id, reason: "customer complaint" });
        await tx
          .update(orders)
          .set({ status: "failed", refundedAmount: sql`${orders.totalPrice}` })
          .where(eq(orders.id, order.id));
      });
    await refund();
    await refund(); // replayed: nothing moves twice
    const moves = await commissionTransfers(order.id);
    expect(moves.map((m) => m.kind).sort()).toEqual(["agent_commission", "agent_commission_reversal"]);
    expect(moves[0]!.amount).toBe(moves[1]!.amount);
    await expectClean();
  });

  it("commission moves into the agent's wallet, never more than earned; after a move the new agent earns", async () => {
    const c = await as(financeA);
    const { commission } = await c.agency.overview({ environment: "sandbox" });
    const earned = commission.find((x) => x.currency === "USD")!;
    expect(new Decimal(earned.balance).gt(0)).toBe(true);
    const tooMuch = c.agency.payout({
      environment: "sandbox",
      currency: "USD",
      amount: new Decimal(earned.balance).plus("0.01").toFixed(4),
      idempotencyKey: key(),
    });
    await expect(tooMuch).rejects.toThrow(/you can move at most that/);
    const walletBefore = await balance(agentA);
    const k = key();
    await c.agency.payout({ environment: "sandbox", currency: "USD", amount: earned.balance, idempotencyKey: k });
    await c.agency.payout({ environment: "sandbox", currency: "USD", amount: earned.balance, idempotencyKey: k }); // double click
    expect(await balance(agentA)).toBe(new Decimal(walletBefore).plus(earned.balance).toFixed(4));
    expect(await auditCount("agency.commission_paid_out")).toBe(1);

    // Move the sub-agent to agent B (history kept); its next order's commission goes to B at B's share.
    const a = await as(admin);
    expect(await codeOf(a.admin.agency.move({ subAgentId: subA, toAgentId: agentA, reason: "same" }))).toBe("BAD_REQUEST");
    expect(await codeOf(a.admin.agency.move({ subAgentId: agentB, toAgentId: agentA, reason: "agents do not move" }))).toBe("BAD_REQUEST");
    await a.admin.agency.move({ subAgentId: subA, toAgentId: agentB, reason: "territory change" });
    const { history } = await a.admin.agency.node({ partnerId: subA });
    expect(history.map((h) => [h.event, h.fromParentId, h.toParentId])).toEqual([
      ["moved", agentA, agentB],
      ["created_sub_agent", null, agentA],
    ]);
    expect(await codeOf((await as(ownerA)).agency.get({ subAgentId: subA }))).toBe("NOT_FOUND");
    const { order } = await sell(subA, "25.00");
    await finished([order.id]);
    const [credit] = await commissionTransfers(order.id);
    expect(credit!.metadata).toMatchObject({ agentId: agentB, shareBps: 2500 });
    const tree = await a.admin.agency.tree({ environment: "sandbox" });
    const b = tree.find((n) => n.id === agentB)!;
    expect(b.children.map((x) => x.id)).toContain(subA);
    expect(b.commission[0]!.balance).toBe(credit!.amount);
    expect(tree.find((n) => n.id === subA)).toBeUndefined();
    await expectClean();
  });
});
