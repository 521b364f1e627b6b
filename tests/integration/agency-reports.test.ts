import DecimalBase from "decimal.js";
import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "@/lib/crypto";
import { agentReport, agentReportCsv, networkReport, subAgentReport } from "@/server/agency/reports";
import { createSubAgent, convertToAgent } from "@/server/agency/hierarchy";
import { fundSubAgent, payoutCommission, recallFromSubAgent } from "@/server/agency/funding";
import { generateMonthlyStatements, keepStatement, renderStatement } from "@/server/agency/statements";
import { agencyStatements, ledgerAccounts, ledgerTransfers, orders } from "@/server/db/schema";
import { checkInvariants, getOrCreateWallet, getStatementSummary } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

const Decimal = DecimalBase.clone({ precision: 40 });
const env = "sandbox" as const;
const sum = (xs: Array<string | null | undefined>) => xs.reduce((s, x) => s.plus(x ?? 0), new Decimal(0)).toFixed(4);

let t: TestDatabase;
let engine: OrderEngine;
let agentA: string;
let agentB: string;
let shops: string[] = [];
let shopB: string;
let ownerA: string;
let ownerShop: string;
let admin: string;
let midpoint: Date;

const ACTOR = "usr_test";
let keyN = 0;
const key = () => `test-key-${++keyN}-${Math.random().toString(36).slice(2, 8)}`;

async function sell(partnerId: string, faceValue: string, quantity = 1) {
  const { order } = await createOrder(t.db, { partnerId, environment: env, sku: RANGED_USD, faceValue, quantity, referenceId: key(), actor: ACTOR });
  return order.id;
}

async function allSettled() {
  await waitFor(
    "orders settled",
    async () => {
      const rows = await t.db.select({ s: orders.status }).from(orders);
      return rows.every((r) => r.s === "completed" || r.s === "failed");
    },
    30_000,
  );
}

async function newShop(agentId: string, name: string) {
  const { partner } = await createSubAgent(t.db, {
    agentId,
    profile: { businessName: name, contactEmail: `${name.toLowerCase().replace(/\W/g, "")}@example.test` },
    ownerEmail: `owner-${name.toLowerCase().replace(/\W/g, "")}@example.test`,
    appUrl: "http://localhost:3000",
    actor: ACTOR,
  });
  return partner.id;
}

const fund = (agentId: string, subAgentId: string, amount: string) =>
  fundSubAgent(t.db, { agentId, subAgentId, environment: env, currency: "USD", amount, idempotencyKey: key(), actor: ACTOR });
const recall = (agentId: string, subAgentId: string, amount: string) =>
  recallFromSubAgent(t.db, { agentId, subAgentId, environment: env, currency: "USD", amount, idempotencyKey: key(), actor: ACTOR });

/**
 * The figures of one sub-agent's USD wallet and orders for [from, to), straight from the ledger
 * with other queries than the report's: the statement summary for the balances, transfers by kind
 * and account, revenue and commission transfers of its orders summed here in decimal.
 */
async function ledgerFigures(partnerId: string, from: Date, to: Date) {
  const wallet = await getOrCreateWallet(t.db, partnerId, env, "USD");
  const summary = await getStatementSummary(t.db, { accountId: wallet.id, from, to });
  const inRange = and(gte(ledgerTransfers.createdAt, from), lt(ledgerTransfers.createdAt, to));
  const moved = await t.db
    .select()
    .from(ledgerTransfers)
    .where(and(inRange, sql`(${ledgerTransfers.debitAccountId} = ${wallet.id} or ${ledgerTransfers.creditAccountId} = ${wallet.id})`));
  const of = (kind: string, side: "debit" | "credit") =>
    sum(moved.filter((m) => m.kind === kind && (side === "debit" ? m.debitAccountId : m.creditAccountId) === wallet.id).map((m) => m.amount));
  const ids = (await t.db.select({ id: orders.id }).from(orders).where(eq(orders.partnerId, partnerId))).map((o) => o.id);
  const econ = ids.length
    ? await t.db
        .select({ kind: ledgerTransfers.kind, amount: ledgerTransfers.amount, creditKind: ledgerAccounts.kind })
        .from(ledgerTransfers)
        .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerTransfers.creditAccountId))
        .where(and(inRange, inArray(ledgerTransfers.reference, ids)))
    : [];
  const margin = econ
    .filter((e) => e.kind === "order_revenue" || (e.kind as string) === "order_revenue_reversal")
    .reduce((s, e) => (e.creditKind === "platform_revenue" ? s.plus(e.amount) : s.minus(e.amount)), new Decimal(0));
  const commission = econ
    .filter((e) => e.kind === "agent_commission" || e.kind === "agent_commission_reversal")
    .reduce((s, e) => (e.kind === "agent_commission" ? s.plus(e.amount) : s.minus(e.amount)), new Decimal(0));
  const sales = of("order_debit", "debit");
  const refunds = of("order_refund", "credit");
  return {
    opening: new Decimal(summary.openingBalance).toFixed(4),
    closing: new Decimal(summary.closingBalance).toFixed(4),
    fundings: of("agent_funding", "credit"),
    recalls: of("agent_recall", "debit"),
    sales,
    refunds,
    orders: moved.filter((m) => m.kind === "order_debit").length,
    margin: margin.toFixed(4),
    cost: new Decimal(sales).minus(refunds).minus(margin).toFixed(4),
    commission: commission.toFixed(4),
  };
}

const pick = (row: object) => {
  const f = row as Record<string, unknown>;
  return {
    opening: f.opening,
    closing: f.closing,
    fundings: f.fundings,
    recalls: f.recalls,
    sales: f.sales,
    refunds: f.refunds,
    orders: f.orders,
    margin: f.margin,
    cost: f.cost,
    commission: f.commission,
  };
};

beforeAll(async () => {
  t = await createTestDatabase();
  engine = await startOrderEngine(t);
  agentA = await engine.sandboxPartner("Agent A");
  agentB = await engine.sandboxPartner("Agent B");
  await convertToAgent(t.db, { partnerId: agentA, revenueShareBps: 1000, actor: ACTOR });
  await convertToAgent(t.db, { partnerId: agentB, revenueShareBps: 2500, actor: ACTOR });
  shops = [await newShop(agentA, "Shop One"), await newShop(agentA, "Shop Two")];
  shopB = await newShop(agentB, "Shop Bee");
  ownerA = (await makeUser(t.db, { partnerId: agentA, role: "finance" })).id;
  ownerShop = (await makeUser(t.db, { partnerId: shops[0]!, role: "owner" })).id;
  admin = (await makeUser(t.db, { admin: true })).id;

  // Before the midpoint: fundings and a first sale.
  await fund(agentA, shops[0]!, "200.00");
  await fund(agentA, shops[1]!, "80.00");
  await fund(agentB, shopB, "60.00");
  await sell(shops[0]!, "20.00");
  await allSettled();
  await new Promise((r) => setTimeout(r, 20));
  midpoint = new Date();
  await new Promise((r) => setTimeout(r, 20));
  // After it: sales (one fails and is refunded, one partly delivered), a recall, more funding, a payout.
  await sell(shops[0]!, "12.34");
  await sell(shops[0]!, "10.66");
  await sell(shops[1]!, "7.50", 2);
  await sell(shops[1]!, "33.00");
  await sell(shopB, "15.00");
  await allSettled();
  await recall(agentA, shops[1]!, "5.00");
  await fund(agentA, shops[1]!, "1.2345");
  const [commission] = await t.db
    .select({ balance: ledgerAccounts.balance })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.partnerId, agentA), sql`${ledgerAccounts.kind}::text = 'agent_commission'`));
  if (commission && new Decimal(commission.balance).gt("0.01")) {
    await payoutCommission(t.db, { agentId: agentA, environment: env, currency: "USD", amount: "0.01", idempotencyKey: key(), actor: ACTOR });
  }
}, 90_000);

afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

describe("agency reports equal ledger sums", () => {
  const whole = () => ({ environment: env, from: new Date("2020-01-01T00:00:00Z"), to: new Date(Date.now() + 60_000) });

  it("an agent's report: each sub-agent's figures, and the totals, are the ledger's", async () => {
    for (const range of [whole(), { ...whole(), from: midpoint }, { ...whole(), to: midpoint }]) {
      const rep = await agentReport(t.db, agentA, range);
      expect(rep.subAgents.map((s) => s.partnerId).sort()).toEqual([...shops].sort());
      for (const row of rep.subAgents) {
        const expected = await ledgerFigures(row.partnerId, range.from, range.to);
        expect(pick(row), `${row.name} ${range.from.toISOString()}..${range.to.toISOString()}`).toEqual(expected);
        // The wallet's movements add up: closing = opening + fundings − recalls − sales + refunds + other.
        const closing = new Decimal(row.opening).plus(row.fundings).minus(row.recalls).minus(row.sales).plus(row.refunds).plus(row.other);
        expect(closing.toFixed(4)).toBe(row.closing);
      }
      const [total] = rep.totals;
      for (const k of ["opening", "closing", "fundings", "recalls", "sales", "refunds", "other", "cost", "margin", "commission"] as const) {
        expect(total![k], k).toBe(sum(rep.subAgents.map((s) => s[k])));
      }
      expect(total!.orders).toBe(rep.subAgents.reduce((n, s) => n + s.orders, 0));
    }
    // The whole history: fundings less recalls is what left the agent for its shops.
    const rep = await agentReport(t.db, agentA, whole());
    const agentWallet = await getOrCreateWallet(t.db, agentA, env, "USD");
    const out = await t.db
      .select({ kind: ledgerTransfers.kind, amount: ledgerTransfers.amount })
      .from(ledgerTransfers)
      .where(
        and(
          sql`${ledgerTransfers.kind} in ('agent_funding', 'agent_recall')`,
          sql`(${ledgerTransfers.debitAccountId} = ${agentWallet.id} or ${ledgerTransfers.creditAccountId} = ${agentWallet.id})`,
        ),
      );
    expect(rep.totals[0]!.fundings).toBe(sum(out.filter((o) => o.kind === "agent_funding").map((o) => o.amount)));
    expect(rep.totals[0]!.recalls).toBe(sum(out.filter((o) => o.kind === "agent_recall").map((o) => o.amount)));
    // The scenario did make money move in every column.
    expect(Number(rep.totals[0]!.refunds)).toBeGreaterThan(0);
    expect(Number(rep.totals[0]!.margin)).toBeGreaterThan(0);
    expect(Number(rep.totals[0]!.commission)).toBeGreaterThan(0);
  });

  it("the agent's own accounts: wallet and commission account balances are the ledger's", async () => {
    const rep = await agentReport(t.db, agentA, { ...whole(), from: midpoint });
    const wallet = await getOrCreateWallet(t.db, agentA, env, "USD");
    const summary = await getStatementSummary(t.db, { accountId: wallet.id, from: midpoint, to: whole().to });
    const [commission] = await t.db
      .select()
      .from(ledgerAccounts)
      .where(and(eq(ledgerAccounts.partnerId, agentA), sql`${ledgerAccounts.kind}::text = 'agent_commission'`));
    const c = await getStatementSummary(t.db, { accountId: commission!.id, from: midpoint, to: whole().to });
    expect(rep.agent).toEqual([
      {
        currency: "USD",
        walletOpening: new Decimal(summary.openingBalance).toFixed(4),
        walletClosing: new Decimal(summary.closingBalance).toFixed(4),
        commissionOpening: new Decimal(c.openingBalance).toFixed(4),
        commissionEarned: expect.any(String),
        commissionPaidOut: expect.any(String),
        commissionClosing: new Decimal(commission!.balance).toFixed(4),
      },
    ]);
    const a = rep.agent[0]!;
    expect(new Decimal(a.commissionOpening).plus(a.commissionEarned).minus(a.commissionPaidOut).toFixed(4)).toBe(a.commissionClosing);
    expect(a.commissionEarned).toBe(rep.totals[0]!.commission);
  });

  it("a sub-agent's own report and the network totals are the ledger's", async () => {
    const own = await subAgentReport(t.db, shops[1]!, whole());
    expect(own.figures.map(pick)).toEqual([await ledgerFigures(shops[1]!, whole().from, whole().to)]);

    const net = await networkReport(t.db, whole());
    const a = (await agentReport(t.db, agentA, whole())).totals[0]!;
    const b = (await agentReport(t.db, agentB, whole())).totals[0]!;
    const rowA = net.agents.find((r) => r.agentId === agentA)!;
    expect(rowA).toMatchObject({
      subAgentCount: 2,
      sales: a.sales,
      margin: a.margin,
      commission: a.commission,
      fundings: a.fundings,
      recalls: a.recalls,
      subAgentBalance: a.closing,
    });
    expect(net.totals).toEqual([
      {
        currency: "USD",
        subAgentCount: 3,
        fundings: sum([a.fundings, b.fundings]),
        recalls: sum([a.recalls, b.recalls]),
        sales: sum([a.sales, b.sales]),
        refunds: sum([a.refunds, b.refunds]),
        orders: a.orders + b.orders,
        cost: sum([a.cost, b.cost]),
        margin: sum([a.margin, b.margin]),
        commission: sum([a.commission, b.commission]),
        subAgentBalance: sum([a.closing, b.closing]),
      },
    ]);
    // Every agent_commission in the ledger is in the network report (nothing outside the tree earns one).
    const [all] = await t.db.execute<{ c: string }>(
      sql`select (coalesce(sum(amount) filter (where kind = 'agent_commission'), 0) - coalesce(sum(amount) filter (where kind = 'agent_commission_reversal'), 0))::numeric(19,4)::text as c from ledger_transfers where environment = 'sandbox'`,
    );
    expect(net.totals[0]!.commission).toBe(all!.c);
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });

  it("CSV and procedures: the agent's CSV has a row per sub-agent and the totals; roles and kinds are enforced", async () => {
    const caller = await sessionCaller(t.db, ownerA, { services: engine.services });
    const today = new Date().toISOString().slice(0, 10);
    const range = { environment: env, from: new Date(Date.now() - 300 * 86_400_000).toISOString().slice(0, 10), to: today };
    const page = await caller.agencyReports.agent(range);
    const csv = await caller.agencyReports.agentCsv(range);
    expect(csv).toBe(agentReportCsv(page));
    const lines = csv.split("\r\n");
    for (const s of page.subAgents) expect(lines.some((l) => l.startsWith(`${s.partnerId},`) && l.includes(`,${s.sales},`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`total,all sub-agents,USD,${page.totals[0]!.opening},`))).toBe(true);

    const shop = await sessionCaller(t.db, ownerShop, { services: engine.services });
    expect(await codeOf(shop.agencyReports.agent(range))).toBe("FORBIDDEN");
    expect(await codeOf(shop.agencyReports.network(range))).toBe("FORBIDDEN");
    expect((await shop.subagent.report(range)).figures.map((f) => f.partnerId)).toEqual([shops[0]]);
    expect(await codeOf(caller.subagent.report(range))).toBe("FORBIDDEN");
    expect(await codeOf(caller.agencyReports.network(range))).toBe("FORBIDDEN");
    const adminCaller = await sessionCaller(t.db, admin, { services: engine.services });
    expect((await adminCaller.agencyReports.network(range)).totals[0]!.subAgentCount).toBe(3);
    expect(await codeOf(caller.agencyReports.agent({ environment: env, from: today, to: "2025-01-01" }))).toBe("BAD_REQUEST");
  });
});

describe("monthly statements are kept as generated", () => {
  it("regenerating gives the same bytes; later ledger activity does not change a kept statement", async () => {
    const period = new Date().toISOString().slice(0, 7);
    const first = await generateMonthlyStatements(t.db, period);
    // Agents A and B and their three sub-agents, sandbox (each has a sandbox ledger account).
    expect(first).toEqual({ period, created: 5, kept: 0 });
    const kept = await t.db.select().from(agencyStatements).where(eq(agencyStatements.partnerId, agentA));
    expect(kept).toHaveLength(1);
    const statement = kept[0]!;
    expect(statement.sha256).toBe(sha256Hex(statement.csv));
    expect(statement.scope).toBe("agent");
    expect(statement.csv).toContain("Shop One");

    // Rendering the month again now gives the same bytes as the kept statement.
    const again = await renderStatement(t.db, { partnerId: agentA, scope: "agent", environment: env, period });
    expect(again.csv).toBe(statement.csv);
    expect(await generateMonthlyStatements(t.db, period)).toEqual({ period, created: 0, kept: 5 });

    // New money in the period after generation: a fresh render differs, the kept statement does not.
    await fund(agentA, shops[0]!, "3.00");
    const fresh = await renderStatement(t.db, { partnerId: agentA, scope: "agent", environment: env, period });
    expect(fresh.csv).not.toBe(statement.csv);
    const { statement: after, created } = await keepStatement(t.db, { partnerId: agentA, scope: "agent", environment: env, period });
    expect(created).toBe(false);
    expect(after.csv).toBe(statement.csv);
    expect(after.sha256).toBe(statement.sha256);

    // Downloaded later through the dashboard: the same bytes and hash.
    const caller = await sessionCaller(t.db, ownerA, { services: engine.services });
    const list = await caller.agencyReports.agentStatements.statements({ environment: env });
    expect(list.map((s) => s.period)).toEqual([period]);
    const file = await caller.agencyReports.agentStatements.statement({ id: statement.id });
    expect(file).toEqual({ filename: `steller-agent-statement-${period}-sandbox.csv`, csv: statement.csv, sha256: statement.sha256 });
    // A sub-agent downloads its own, never the agent's.
    const shop = await sessionCaller(t.db, ownerShop, { services: engine.services });
    expect(await codeOf(shop.agencyReports.subAgentStatements.statement({ id: statement.id }))).toBe("NOT_FOUND");
    const own = await shop.agencyReports.subAgentStatements.statements({ environment: env });
    expect(own).toHaveLength(1);

    // The database refuses to rewrite or delete a kept statement.
    const refusal = (e: unknown) => String((e as { cause?: { message?: string } }).cause?.message ?? e);
    expect(refusal(await t.db.execute(sql`update agency_statements set csv = 'x' where id = ${statement.id}`).catch((e) => e))).toMatch(/kept as generated/);
    expect(refusal(await t.db.execute(sql`delete from agency_statements where id = ${statement.id}`).catch((e) => e))).toMatch(/kept as generated/);
  });
});
