import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as catalogRoute from "@/app/api/v1/catalog/route";
import { agencyLimits, auditLog, counterSales, emails, ledgerTransfers, orders, partners } from "@/server/db/schema";
import { orderEngineFunctions } from "@/server/jobs/functions/orders";
import { saleReceiptEmail } from "@/server/jobs/functions/agency";
import { sendEmailFunction } from "@/server/jobs/functions/email";
import { createApiKey } from "@/server/keys";
import { getOrCreateWallet, getBalance, transfer } from "@/server/ledger";
import { appRouter } from "@/server/trpc/root";
import { bindAppDatabase, call, flushRequestLog } from "../support/app";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

let t: TestDatabase;
let engine: OrderEngine;
let agent: string;
let shop: string;
let otherShop: string;
let direct: string;
let shopOwner: string;
let shopFinance: string;
let otherShopOwner: string;
let agentOwner: string;
let directOwner: string;
let admin: string;
let shopKey: string;
let directKey: string;

const env = "sandbox" as const;

/** A sub-agent of `agentId` (kind and parent set as the hierarchy does), with `funds` moved to it from the agent's wallet. */
async function subAgent(name: string, agentId: string, funds: string) {
  const id = await makePartner(t.db, name);
  await t.db.update(partners).set({ kind: "sub_agent", parentId: agentId }).where(eq(partners.id, id));
  const from = await getOrCreateWallet(t.db, agentId, env, "USD");
  const to = await getOrCreateWallet(t.db, id, env, "USD");
  await transfer(t.db, {
    kind: "agent_funding",
    amount: funds,
    currency: "USD",
    debitAccountId: from.id,
    creditAccountId: to.id,
    reference: `${agentId}:fund-${id}`,
    actor: "test",
    metadata: { agentId, subAgentId: id },
  });
  return id;
}

const walletOf = async (partnerId: string) => getBalance(t.db, (await getOrCreateWallet(t.db, partnerId, env, "USD")).id);

async function settled(orderId: string) {
  await waitFor(`order ${orderId} ends`, async () => {
    const [o] = await t.db.select({ s: orders.status }).from(orders).where(eq(orders.id, orderId));
    return o?.s === "completed" || o?.s === "failed";
  });
  const [o] = await t.db.select().from(orders).where(eq(orders.id, orderId));
  return o!;
}

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  engine = await startOrderEngine(t, { functions: [...orderEngineFunctions, saleReceiptEmail, sendEmailFunction] });
  agent = await engine.sandboxPartner("Agent Co");
  direct = await engine.sandboxPartner("Direct Co");
  // Keys made while the partners could still have them: the shop's becomes a sub-agent's key below.
  const shopId = await makePartner(t.db, "Corner Shop");
  shopKey = (await createApiKey(t.db, { partnerId: shopId, environment: env, actor: "test" })).secret;
  directKey = (await createApiKey(t.db, { partnerId: direct, environment: env, actor: "test" })).secret;
  await t.db.update(partners).set({ kind: "agent" }).where(eq(partners.id, agent));
  await t.db.update(partners).set({ kind: "sub_agent", parentId: agent }).where(eq(partners.id, shopId));
  shop = shopId;
  await transfer(t.db, {
    kind: "agent_funding",
    amount: "200.00",
    currency: "USD",
    debitAccountId: (await getOrCreateWallet(t.db, agent, env, "USD")).id,
    creditAccountId: (await getOrCreateWallet(t.db, shop, env, "USD")).id,
    reference: `${agent}:fund-shop`,
    actor: "test",
  });
  otherShop = await subAgent("Kiosk", agent, "50.00");
  shopOwner = (await makeUser(t.db, { partnerId: shop, role: "owner" })).id;
  shopFinance = (await makeUser(t.db, { partnerId: shop, role: "finance" })).id;
  otherShopOwner = (await makeUser(t.db, { partnerId: otherShop, role: "owner" })).id;
  agentOwner = (await makeUser(t.db, { partnerId: agent, role: "owner" })).id;
  directOwner = (await makeUser(t.db, { partnerId: direct, role: "owner" })).id;
  admin = (await makeUser(t.db, { admin: true })).id;
}, 60_000);

afterAll(async () => {
  await flushRequestLog();
  await engine?.stop();
  await t?.close();
});

describe("Sell a card (sub-agents)", () => {
  let soldId: string;

  it("sells through createOrder: one debit, the card on an audited receipt, the receipt emailed to the customer", async () => {
    const caller = await sessionCaller(t.db, shopOwner, { services: engine.services });
    const before = await walletOf(shop);
    const quote = await caller.subagent.quote({ environment: env, sku: RANGED_USD, faceValue: "20.00" });
    expect(quote).toMatchObject({ sku: RANGED_USD, faceValue: "20.0000", currency: "USD" });
    const input = {
      environment: env,
      sku: RANGED_USD,
      faceValue: "20.00",
      customerEmail: "buyer@example.test",
      customerPhone: "+44 20 7946 0000",
      saleKey: "sale-key-0001",
    };
    const sold = await caller.subagent.sell(input);
    expect(sold.created).toBe(true);
    soldId = sold.orderId;
    // A second click (same sale key) gives back the same order and charges nothing more.
    const again = await caller.subagent.sell(input);
    expect(again).toMatchObject({ orderId: soldId, created: false });

    const order = await settled(soldId);
    expect(order).toMatchObject({ status: "completed", partnerId: shop, quantity: 1, source: "dashboard", referenceId: "sale-sale-key-0001" });
    expect(await walletOf(shop)).toBe((Number(before) - Number(order.totalPrice)).toFixed(4)); // exact: both have 4 decimals and small values
    const debits = await t.db
      .select()
      .from(ledgerTransfers)
      .where(and(eq(ledgerTransfers.kind, "order_debit"), eq(ledgerTransfers.reference, soldId)));
    expect(debits).toHaveLength(1);
    expect(quote!.price).toBe(order.totalPrice);

    const sale = await caller.subagent.sale({ environment: env, orderId: soldId });
    expect(sale).toMatchObject({ status: "completed", customerEmail: "buyer@example.test", customerPhone: "+44 20 7946 0000", brand: expect.any(String) });
    expect(sale).not.toHaveProperty("cards");

    const receipt = await caller.subagent.receipt({ environment: env, orderId: soldId });
    expect(receipt).toMatchObject({ shopName: "Corner Shop", orderId: soldId, faceValue: "20.0000", customerEmail: "buyer@example.test" });
    expect(receipt.cards).toHaveLength(1);
    expect(receipt.cards[0]!.code.length).toBeGreaterThan(4);
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "sale.receipt_shown"), eq(auditLog.targetId, soldId)));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorUserId: shopOwner, partnerId: shop });

    await waitFor("receipt email", async () => (await t.db.select().from(emails).where(eq(emails.kind, "agency.sale_receipt"))).length > 0);
    const mail = await t.db.select().from(emails).where(eq(emails.kind, "agency.sale_receipt"));
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ to: "buyer@example.test", partnerId: shop });
    expect(mail[0]!.text).toContain(receipt.cards[0]!.code);
    expect(mail[0]!.subject).toContain("Corner Shop");
  });

  it("sends no email without a customer email, and finance sees sales but not codes", async () => {
    const caller = await sessionCaller(t.db, shopOwner, { services: engine.services });
    const { orderId } = await caller.subagent.sell({ environment: env, sku: RANGED_USD, faceValue: "5.00", saleKey: "sale-key-0002" });
    await settled(orderId);
    const finance = await sessionCaller(t.db, shopFinance, { services: engine.services });
    expect(await codeOf(finance.subagent.sale({ environment: env, orderId }))).toBe("OK");
    expect(await codeOf(finance.subagent.receipt({ environment: env, orderId }))).toBe("FORBIDDEN");
    expect(await codeOf(finance.subagent.sell({ environment: env, sku: RANGED_USD, faceValue: "5.00", saleKey: "sale-key-0003" }))).toBe("FORBIDDEN");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await t.db.select().from(emails).where(eq(emails.kind, "agency.sale_receipt"))).toHaveLength(1);

    const today = await finance.subagent.today({ environment: env });
    expect(today.sales.map((s) => s.id)).toEqual(expect.arrayContaining([soldId, orderId]));
    const paid = await t.db.select({ p: orders.totalPrice }).from(orders).where(eq(orders.partnerId, shop));
    expect(today.totals).toEqual([{ currency: "USD", sales: paid.length, amount: paid.reduce((s, r) => s + Number(r.p), 0).toFixed(4) }]);
    expect(today.wallets).toEqual([{ currency: "USD", balance: await walletOf(shop) }]);
  });

  it("refuses a sale the wallet cannot pay with a clear message, debits nothing and keeps no customer contact", async () => {
    const caller = await sessionCaller(t.db, shopOwner, { services: engine.services });
    const before = await walletOf(shop);
    await expect(
      caller.subagent.sell({ environment: env, sku: RANGED_USD, faceValue: "900.00", customerEmail: "x@example.test", saleKey: "sale-key-0004" }),
    ).rejects.toThrow(/insufficient|balance|funds/i);
    expect(await walletOf(shop)).toBe(before);
    expect(await t.db.select().from(counterSales).where(eq(counterSales.referenceId, "sale-sale-key-0004"))).toHaveLength(0);
  });

  it("applies the sub-agent's daily cap: a sale over it is refused with a clear message and nothing is debited", async () => {
    const caller = await sessionCaller(t.db, shopOwner, { services: engine.services });
    const [spentRow] = await t.db.execute<{ spent: string }>(
      sql`select coalesce(sum(total_price), 0)::text as spent from orders where partner_id = ${shop} and created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'`,
    );
    await t.db.insert(agencyLimits).values({ partnerId: shop, currency: "USD", dailyCap: (Number(spentRow!.spent) + 10).toFixed(4), updatedBy: "test" });
    const before = await walletOf(shop);
    const ordersBefore = await t.db.select({ id: orders.id }).from(orders).where(eq(orders.partnerId, shop));
    const refused = await caller.subagent.sell({ environment: env, sku: RANGED_USD, faceValue: "15.00", saleKey: "sale-key-0005" }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/daily/i);
    expect(await walletOf(shop)).toBe(before);
    expect(await t.db.select({ id: orders.id }).from(orders).where(eq(orders.partnerId, shop))).toHaveLength(ordersBefore.length);
    // Under the cap it still sells.
    expect(await codeOf(caller.subagent.sell({ environment: env, sku: RANGED_USD, faceValue: "2.00", saleKey: "sale-key-0006" }))).toBe("OK");
    await t.db.delete(agencyLimits).where(eq(agencyLimits.partnerId, shop));
  });

  it("keeps each sub-agent to its own sales: another sub-agent gets NOT_FOUND", async () => {
    const other = await sessionCaller(t.db, otherShopOwner, { services: engine.services });
    expect(await codeOf(other.subagent.sale({ environment: env, orderId: soldId }))).toBe("NOT_FOUND");
    expect(await codeOf(other.subagent.receipt({ environment: env, orderId: soldId }))).toBe("NOT_FOUND");
    expect((await other.subagent.today({ environment: env })).sales).toEqual([]);
  });
});

/** Every procedure path of the app under these prefixes, with its type. */
function proceduresUnder(...prefixes: string[]): Array<{ path: string; type: string }> {
  const all = (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })._def.procedures;
  return Object.entries(all)
    .filter(([path]) => prefixes.some((p) => path === p || path.startsWith(`${p}.`)))
    .map(([path, proc]) => ({ path, type: proc._def.type }));
}

/** Calls a procedure by path with `input` (a placeholder: guards run before input checks). */
async function callPath(caller: Awaited<ReturnType<typeof sessionCaller>>, path: string, input: unknown) {
  let fn: unknown = caller;
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  return codeOf((fn as (i: unknown) => Promise<unknown>)(input));
}

describe("isolation of sub-agents", () => {
  it("a sub-agent's session reaches no agent, API-key, agency-report or admin procedure (every path tried)", async () => {
    const caller = await sessionCaller(t.db, shopOwner, { services: engine.services });
    const paths = proceduresUnder("agency", "agencyReports", "partner.keys", "admin");
    const allowedForSubAgent = new Set(["agencyReports.subAgentStatements.statements", "agencyReports.subAgentStatements.statement"]);
    const refused = paths.filter((p) => !allowedForSubAgent.has(p.path));
    expect(refused.length).toBeGreaterThan(10);
    const answers: Record<string, string> = {};
    for (const p of refused) answers[p.path] = await callPath(caller, p.path, {});
    const reached = Object.entries(answers).filter(([, code]) => code !== "FORBIDDEN");
    expect(reached, `procedures a sub-agent reached: ${JSON.stringify(reached)}`).toEqual([]);
  });

  it("an agent, a direct partner and an admin reach no sub-agent procedure (every path tried)", async () => {
    const paths = proceduresUnder("subagent", "agencyReports.subAgentStatements");
    expect(paths.length).toBeGreaterThanOrEqual(10);
    for (const user of [agentOwner, directOwner, admin]) {
      const caller = await sessionCaller(t.db, user, { services: engine.services });
      const answers: Record<string, string> = {};
      for (const p of paths) answers[p.path] = await callPath(caller, p.path, {});
      expect(Object.entries(answers).filter(([, code]) => code !== "FORBIDDEN")).toEqual([]);
    }
  });

  it("the REST API refuses a sub-agent's key with sub_agent_api_refused (403), and a sub-agent cannot create keys", async () => {
    const refused = await call(catalogRoute.GET, "/api/v1/catalog", { key: shopKey });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: "sub_agent_api_refused", type: expect.any(String) });
    expect(refused.json.error.message).toMatch(/sub-agent/i);
    const ok = await call(catalogRoute.GET, "/api/v1/catalog", { key: directKey });
    expect(ok.status).toBe(200);

    await expect(createApiKey(t.db, { partnerId: shop, environment: env, actor: "test" })).rejects.toMatchObject({ code: "sub_agent_api_refused" });
    const caller = await sessionCaller(t.db, shopOwner, { services: engine.services });
    expect(await codeOf(caller.partner.keys.create({ environment: env, name: "till" } as never))).toBe("FORBIDDEN");
  });
});
