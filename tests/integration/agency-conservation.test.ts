import DecimalBase from "decimal.js";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "@/lib/prng";
import { fundSubAgent, payoutCommission, recallFromSubAgent } from "@/server/agency/funding";
import { convertToAgent, createSubAgent } from "@/server/agency/hierarchy";
import { setLimits } from "@/server/agency/limits";
import { agentReport } from "@/server/agency/reports";
import { ledgerAccounts, ledgerTransfers, orders } from "@/server/db/schema";
import { checkInvariants } from "@/server/ledger";
import { commissionOf } from "@/server/ledger/commission";
import { createOrder } from "@/server/orders/create";
import { refundOrderBySupport } from "@/server/orders/support";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * Money conservation in the agency network (issue 18's check), a randomized scenario replayable
 * by its seed (AGENCY_SEED): two agents fund and recall their sub-agents while the sub-agents
 * sell concurrently through the real order engine and the mock vendor; some orders fail at the
 * vendor (magic face values) and are refunded, some completed ones are refunded by support (a
 * double click each), limits refuse some sales, agents move commission to their wallets. At the
 * end: checkInvariants is clean, every commission was credited exactly once per completed order
 * and reversed exactly once per refund, every refused sale wrote nothing, the caps held, each
 * sub-agent's wallet is its fundings − recalls − sales + refunds, and the agents' reports equal
 * the ledger.
 */

const Decimal = DecimalBase.clone({ precision: 40 });
const SEED = Number(process.env.AGENCY_SEED ?? 20_261_130);
const ROUNDS = 6;
const OPS_PER_ROUND = 10;
/** Normal, partly delivered (.50), failed after acceptance (.66), refused by the vendor (.13). */
const FACE_VALUES = ["10.00", "25.00", "40.00", "7.50", "20.66", "20.13"];
const SHARES = [1000, 2500];

let t: TestDatabase;
let engine: OrderEngine;
const rnd = mulberry32(SEED);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const amount = (min: number, max: number) => (min + Math.floor(rnd() * (max - min) * 100) / 100).toFixed(2);

let agents: string[] = [];
const subsOf = new Map<string, string[]>();
const shareOf = new Map<string, number>();
let admin: { id: string };

beforeAll(async () => {
  t = await createTestDatabase(24);
  engine = await startOrderEngine(t, { mock: { fulfilMs: 150 } });
  admin = await makeUser(t.db, { admin: true });
  agents = [await engine.sandboxPartner("Agent One"), await engine.sandboxPartner("Agent Two")];
  for (const [i, agentId] of agents.entries()) {
    await convertToAgent(t.db, { partnerId: agentId, revenueShareBps: SHARES[i]!, actor: admin.id });
    shareOf.set(agentId, SHARES[i]!);
    const subs: string[] = [];
    for (const n of [1, 2]) {
      const { partner } = await createSubAgent(t.db, {
        agentId,
        profile: { businessName: `Shop ${i + 1}.${n}`, contactEmail: `shop${i}${n}@shops.test` },
        ownerEmail: `owner${i}${n}@shops.test`,
        actor: "usr_agent",
        appUrl: "http://localhost:3000",
      });
      subs.push(partner.id);
    }
    subsOf.set(agentId, subs);
  }
  const [s11, s12] = subsOf.get(agents[0]!)!;
  const [s21] = subsOf.get(agents[1]!)!;
  // Caps low enough to refuse some sales: a daily cap, a per-order cap (a 40.00 card costs more than 30).
  await setLimits(t.db, { agentId: agents[0]!, subAgentId: s11!, currency: "USD", dailyCap: "120.00", actor: "usr_agent" });
  await setLimits(t.db, { agentId: agents[0]!, subAgentId: s12!, currency: "USD", perOrderCap: "30.00", actor: "usr_agent" });
  await setLimits(t.db, { agentId: agents[1]!, subAgentId: s21!, currency: "USD", dailyCap: "90.00", perOrderCap: "60.00", actor: "usr_agent" });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

async function finished(ids: string[]) {
  if (ids.length === 0) return [];
  return waitFor(
    `${ids.length} orders to finish`,
    async () => {
      const rows = await t.db.select().from(orders).where(inArray(orders.id, ids));
      return rows.length === ids.length && rows.every((o) => o.status === "completed" || o.status === "failed") ? rows : null;
    },
    60_000,
  );
}

const errorCode = (e: unknown) => (e as { code?: string }).code ?? String(e);

describe(`agency money conservation (seed ${SEED})`, () => {
  it("ends with the ledger clean, commission once per completed order and reversed once per refund, caps held, reports equal to the ledger", async () => {
    const accepted: string[] = [];
    const refusals = new Map<string, number>();
    const refused = (code: string) => refusals.set(code, (refusals.get(code) ?? 0) + 1);
    const refundedBySupport = new Set<string>();
    let ref = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const ops: Array<() => Promise<unknown>> = [];
      for (let i = 0; i < OPS_PER_ROUND; i++) {
        const agentId = pick(agents);
        const subAgentId = pick(subsOf.get(agentId)!);
        const r = rnd();
        const key = `seed-${SEED}-${round}-${i}`;
        const common = { agentId, environment: "sandbox" as const, currency: "USD", idempotencyKey: key, actor: "usr_agent" };
        if (round === 0 || r < 0.25) {
          // Funding (twice with the same key now and then: a double click).
          const input = { ...common, subAgentId, amount: amount(20, 200) };
          ops.push(() => fundSubAgent(t.db, input));
          if (rnd() < 0.3) ops.push(() => fundSubAgent(t.db, input));
        } else if (r < 0.4) {
          ops.push(() => recallFromSubAgent(t.db, { ...common, subAgentId, amount: amount(5, 150) }));
        } else if (r < 0.45) {
          ops.push(() => payoutCommission(t.db, { ...common, amount: amount(0.01, 3) }));
        } else {
          const faceValue = pick(FACE_VALUES);
          const quantity = 1 + Math.floor(rnd() * 2);
          const referenceId = `cons-${SEED}-${++ref}`;
          ops.push(async () => {
            const { order } = await createOrder(t.db, {
              partnerId: subAgentId,
              environment: "sandbox",
              sku: RANGED_USD,
              faceValue,
              quantity,
              referenceId,
              actor: "test",
            });
            accepted.push(order.id);
          });
        }
      }
      const outcomes = await Promise.allSettled(ops.map((op) => op()));
      for (const o of outcomes) if (o.status === "rejected") refused(errorCode(o.reason));
      await finished(accepted);

      // Support refunds up to two completed sub-agent orders, each with a double click.
      const completed = (
        await t.db
          .select()
          .from(orders)
          .where(and(inArray(orders.id, accepted), eq(orders.status, "completed")))
      ).filter((o) => !refundedBySupport.has(o.id) && o.refundedAmount === "0.0000");
      for (let k = 0; k < 2 && completed.length > 0; k++) {
        const o = completed.splice(Math.floor(rnd() * completed.length), 1)[0]!;
        const clicks = await Promise.allSettled([
          refundOrderBySupport(t.db, { orderId: o.id, actor: admin.id, reason: "customer returned the card" }),
          refundOrderBySupport(t.db, { orderId: o.id, actor: admin.id, reason: "customer returned the card" }),
        ]);
        expect(clicks.filter((c) => c.status === "fulfilled")).toHaveLength(1);
        refundedBySupport.add(o.id);
      }
    }

    // Only the refusals the rules allow happened, and the limits did refuse some sales.
    expect(
      [...refusals.keys()].every((c) => ["insufficient_funds", "sale_over_daily_cap", "sale_over_per_order_cap"].includes(c)),
      JSON.stringify([...refusals]),
    ).toBe(true);
    expect((refusals.get("sale_over_daily_cap") ?? 0) + (refusals.get("sale_over_per_order_cap") ?? 0)).toBeGreaterThan(0);
    const allSubs = [...subsOf.values()].flat();
    const subOrders = await t.db.select().from(orders).where(inArray(orders.partnerId, allSubs));
    // A refused sale wrote nothing: the only orders are the accepted ones.
    expect(subOrders.map((o) => o.id).sort()).toEqual([...accepted].sort());
    expect(subOrders.some((o) => o.status === "failed" && o.failureCode !== "refunded_by_admin")).toBe(true);
    expect(refundedBySupport.size).toBeGreaterThan(0);

    // The ledger's invariants, commission included.
    const report = await checkInvariants(t.db);
    expect(report.commissionMismatches).toEqual([]);
    expect(report.ok, JSON.stringify(report).slice(0, 1000)).toBe(true);

    // Commission: once per completed order with a margin, at the agent's share; reversed once per support refund; none for vendor failures.
    const transfers = await t.db
      .select()
      .from(ledgerTransfers)
      .where(inArray(ledgerTransfers.kind, ["order_revenue", "agent_commission", "agent_commission_reversal"]));
    const byKind = (kind: string, ref: string) => transfers.filter((x) => x.kind === kind && x.reference === ref);
    let credited = 0;
    let reversed = 0;
    for (const o of subOrders) {
      const revenue = byKind("order_revenue", o.id);
      const credits = byKind("agent_commission", o.id);
      const reversals = byKind("agent_commission_reversal", o.id);
      const agentId = [...subsOf.entries()].find(([, subs]) => subs.includes(o.partnerId))![0];
      if (revenue.length === 0) {
        // Failed at the vendor before any margin: no commission.
        expect(credits, o.id).toEqual([]);
        expect(reversals, o.id).toEqual([]);
        continue;
      }
      // The margin as recognised (signed: a loss earns nothing).
      const margin = (revenue[0]!.metadata as { margin: string }).margin;
      const expected = commissionOf(margin, shareOf.get(agentId)!);
      expect(credits, o.id).toHaveLength(new Decimal(expected).isZero() ? 0 : 1);
      if (credits[0]) {
        expect(credits[0].amount, o.id).toBe(expected);
        expect(credits[0].metadata, o.id).toMatchObject({ agentId, subAgentId: o.partnerId, shareBps: shareOf.get(agentId) });
        credited++;
      }
      if (refundedBySupport.has(o.id)) {
        expect(o.status).toBe("failed");
        expect(reversals, o.id).toHaveLength(credits.length);
        if (reversals[0]) expect(reversals[0].amount).toBe(credits[0]!.amount);
        reversed += reversals.length;
      } else {
        expect(o.status).toBe("completed");
        expect(reversals, o.id).toEqual([]);
      }
    }
    expect(credited).toBeGreaterThan(0);
    expect(reversed).toBeGreaterThan(0);

    // The caps held: each capped sub-agent's non-failed sales of the day cost at most its cap.
    const day = (id: string) =>
      subOrders.filter((o) => o.partnerId === id && o.status !== "failed").reduce((s, o) => s.plus(o.totalPrice).minus(o.refundedAmount), new Decimal(0));
    const [s11, s12] = subsOf.get(agents[0]!)!;
    const [s21] = subsOf.get(agents[1]!)!;
    expect(day(s11!).lte("120.00")).toBe(true);
    expect(day(s21!).lte("90.00")).toBe(true);
    for (const o of subOrders.filter((x) => x.partnerId === s12)) expect(new Decimal(o.totalPrice).lte("30.00")).toBe(true);

    // Each sub-agent's wallet: fundings − recalls − what its orders paid + what was refunded to it.
    const wallets = await t.db
      .select()
      .from(ledgerAccounts)
      .where(and(inArray(ledgerAccounts.partnerId, allSubs), eq(ledgerAccounts.kind, "partner_wallet")));
    const all = await t.db
      .select()
      .from(ledgerTransfers)
      .where(inArray(ledgerTransfers.kind, ["agent_funding", "agent_recall", "order_debit", "order_refund"]));
    for (const w of wallets) {
      const into = all.filter((x) => x.creditAccountId === w.id).reduce((s, x) => s.plus(x.amount), new Decimal(0));
      const out = all.filter((x) => x.debitAccountId === w.id).reduce((s, x) => s.plus(x.amount), new Decimal(0));
      expect(w.balance, w.partnerId!).toBe(into.minus(out).toFixed(4));
      expect(new Decimal(w.balance).gte(0)).toBe(true);
    }

    // The agents' reports equal the ledger: closing balances and commission per sub-agent and for the agent.
    const range = { environment: "sandbox" as const, from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
    const commissionTransfers = await t.db
      .select()
      .from(ledgerTransfers)
      .where(inArray(ledgerTransfers.kind, ["agent_commission", "agent_commission_reversal"]));
    for (const agentId of agents) {
      const r = await agentReport(t.db, agentId, range);
      for (const row of r.subAgents) {
        const wallet = wallets.find((w) => w.partnerId === row.partnerId)!;
        expect(row.closing, row.name).toBe(wallet.balance);
        const net = commissionTransfers
          .filter((x) => (x.metadata as { subAgentId?: string }).subAgentId === row.partnerId)
          .reduce((s, x) => (x.kind === "agent_commission" ? s.plus(x.amount) : s.minus(x.amount)), new Decimal(0));
        expect(row.commission, row.name).toBe(net.toFixed(4));
      }
      const [account] = await t.db
        .select()
        .from(ledgerAccounts)
        .where(and(eq(ledgerAccounts.partnerId, agentId), eq(ledgerAccounts.kind, "agent_commission")));
      if (account) expect(r.agent.find((a) => a.currency === "USD")?.commissionClosing).toBe(account.balance);
    }
  });
});
