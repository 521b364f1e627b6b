import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardStatementCsv } from "@/app/dashboard/wallet/statement-csv";
import { addAmounts, subAmounts, sumAmounts } from "@/lib/money";
import type { MemberRole } from "@/server/auth/session-user";
import { loadSessionUser } from "@/server/auth/session-user";
import { closeDatabases } from "@/server/db/client";
import { auditLog } from "@/server/db/schema";
import { debitForOrder, grantSandboxFunds, refundOrder, requestTopup } from "@/server/ledger";
import { approvePartnerTopup, rejectPartnerTopup } from "@/server/partners/funding";
import { setWalletLowBalanceThreshold } from "@/server/webhooks/sources";
import * as txRoute from "@/app/api/v1/wallet/transactions/route";
import { createApiKey } from "@/server/keys";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { codeOf, sessionCaller } from "../support/callers";

let t: TestDatabase;
let partnerA: string;
let partnerB: string;
const users: Partial<Record<MemberRole, string>> = {};
let ownerB: string;
let financeB: string;
let adminId: string;
const env = "sandbox" as const;
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

const callerFor = (userId: string) => sessionCaller(t.db, userId);

/** The dashboard's CSV route as a signed-in user (or nobody) would call it. */
async function downloadAs(userId: string | null, query: Record<string, string>) {
  const url = new URL("http://localhost/dashboard/wallet/statement.csv");
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const user = userId ? await loadSessionUser(t.db, userId) : null;
  const res = await dashboardStatementCsv(new Request(url), user, t.db);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  partnerA = await makePartner(t.db, "Wallet A");
  partnerB = await makePartner(t.db, "Wallet B");
  for (const role of ["owner", "developer", "finance"] as const) users[role] = (await makeUser(t.db, { partnerId: partnerA, role })).id;
  ownerB = (await makeUser(t.db, { partnerId: partnerB, role: "owner" })).id;
  financeB = (await makeUser(t.db, { partnerId: partnerB, role: "finance" })).id;
  adminId = (await makeUser(t.db, { admin: true })).id;
  // A: 1000.00 granted, an order paid (48.50) and half refunded, a top-up approved (200.00), one rejected.
  await grantSandboxFunds(t.db, partnerA);
  await debitForOrder(t.db, { partnerId: partnerA, environment: env, currency: "USD", amount: "48.50", orderId: "ord_wallet_a_1" });
  await refundOrder(t.db, { orderId: "ord_wallet_a_1", amount: "24.25" });
  const approved = await requestTopup(t.db, { partnerId: partnerA, environment: env, currency: "USD", amount: "200.00", requestedBy: users.finance! });
  await approvePartnerTopup(t.db, { requestId: approved.id, actor: adminId });
  const rejected = await requestTopup(t.db, { partnerId: partnerA, environment: env, currency: "USD", amount: "9999.00", requestedBy: users.owner! });
  await rejectPartnerTopup(t.db, { requestId: rejected.id, actor: adminId, reason: "No transfer received" });
  // B: its own grant and order.
  await grantSandboxFunds(t.db, partnerB);
  await debitForOrder(t.db, { partnerId: partnerB, environment: env, currency: "USD", amount: "10.00", orderId: "ord_wallet_b_1" });
}, 60_000);

afterAll(async () => {
  await closeDatabases().catch(() => {});
  await t?.close();
});

describe("wallet procedures: role matrix and tenant isolation", () => {
  it("gives each role exactly what the README's matrix says", async () => {
    const asOwner = await callerFor(users.owner!);
    const anEntry = (await asOwner.wallet.transactions({ environment: env })).data[0]!.id;
    const matrix: Array<[string, (api: Awaited<ReturnType<typeof callerFor>>) => Promise<unknown>, MemberRole[]]> = [
      ["balances", (api) => api.wallet.balances({ environment: env }), ["owner", "developer", "finance"]],
      ["transactions", (api) => api.wallet.transactions({ environment: env }), ["owner", "finance"]],
      ["entry", (api) => api.wallet.entry({ environment: env, entryId: anEntry }), ["owner", "finance"]],
      ["statement", (api) => api.wallet.statement({ environment: env, currency: "USD", from: today, to: today }), ["owner", "finance"]],
      ["topups.list", (api) => api.wallet.topups.list({ environment: env }), ["owner", "finance"]],
      ["topups.create", (api) => api.wallet.topups.create({ environment: env, currency: "USD", amount: "1.00", note: "matrix" }), ["owner", "finance"]],
    ];
    for (const [name, call, allowed] of matrix) {
      for (const role of ["owner", "developer", "finance"] as const) {
        const got = await codeOf(call(await callerFor(users[role]!)));
        expect(`${name} as ${role}: ${got}`).toBe(`${name} as ${role}: ${allowed.includes(role) ? "OK" : "FORBIDDEN"}`);
      }
    }
  });

  it("answers NOT_FOUND to partner B for partner A's entry ids and shows B only its own money", async () => {
    const asA = await callerFor(users.finance!);
    const asB = await callerFor(ownerB);
    const aEntries = (await asA.wallet.transactions({ environment: env, limit: 100 })).data;
    expect(aEntries.length).toBeGreaterThan(0);
    for (const e of aEntries) {
      expect(await codeOf(asB.wallet.entry({ environment: env, entryId: e.id }))).toBe("NOT_FOUND");
      // A's entry as B's cursor is refused, never a page of A's wallet.
      expect(await codeOf(asB.wallet.transactions({ environment: env, after: e.id }))).toBe("BAD_REQUEST");
    }
    // A's own entry exists for A, but not in the other environment.
    expect(await codeOf(asA.wallet.entry({ environment: env, entryId: aEntries[0]!.id }))).toBe("OK");
    expect(await codeOf(asA.wallet.entry({ environment: "live", entryId: aEntries[0]!.id }))).toBe("NOT_FOUND");
    const bRows = (await asB.wallet.transactions({ environment: env, limit: 100 })).data;
    expect(bRows.map((r) => r.reference).sort()).toEqual([partnerB, "ord_wallet_b_1"].sort());
    expect(await asB.wallet.transactions({ environment: env, reference: "ord_wallet_a_1" })).toMatchObject({ data: [] });
    const bTopups = await asB.wallet.topups.list({ environment: env });
    expect(bTopups).toEqual([]);
    const bBalances = await asB.wallet.balances({ environment: env });
    expect(bBalances.wallets).toEqual([expect.objectContaining({ currency: "USD", balance: "990.0000" })]);
  });
});

describe("wallet.transactions: filters and pages", () => {
  it("filters by kind, reference and date range, and pages by cursor", async () => {
    const api = await callerFor(users.finance!);
    const all = (await api.wallet.transactions({ environment: env, limit: 100 })).data;
    expect(all.map((r) => r.kind)).toEqual(expect.arrayContaining(["sandbox_grant", "order_debit", "order_refund", "topup_approval"]));

    const debits = (await api.wallet.transactions({ environment: env, kind: "order_debit" })).data;
    expect(debits).toHaveLength(1);
    expect(debits[0]).toMatchObject({ kind: "order_debit", amount: "-48.5000", reference: "ord_wallet_a_1", orderId: "ord_wallet_a_1", topupRequestId: null });

    // Any part of the reference, any case: the order's debit and its refund.
    const byRef = (await api.wallet.transactions({ environment: env, reference: "WALLET_A" })).data;
    expect(byRef.map((r) => r.kind).sort()).toEqual(["order_debit", "order_refund"]);
    // LIKE's wildcards are plain characters in a search.
    expect((await api.wallet.transactions({ environment: env, reference: "%" })).data).toEqual([]);

    expect((await api.wallet.transactions({ environment: env, from: today, to: today })).data).toHaveLength(all.length);
    expect((await api.wallet.transactions({ environment: env, from: tomorrow })).data).toEqual([]);
    expect((await api.wallet.transactions({ environment: env, to: yesterday })).data).toEqual([]);

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await api.wallet.transactions({ environment: env, limit: 2, after });
      seen.push(...page.data.map((r) => r.id));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual(all.map((r) => r.id));
  });
});

describe("GET /api/v1/wallet/transactions: the same filters", () => {
  it("answers the dashboard's rows for the same kind, reference and period", async () => {
    const { secret } = await createApiKey(t.db, { partnerId: partnerA, environment: env, name: "filters", actor: "test" });
    const api = await callerFor(users.finance!);
    const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
    const rest = async (query: Record<string, string>) => {
      const res = await call(txRoute.GET, "/api/v1/wallet/transactions", { key: secret, query });
      expect(res.status).toBe(200);
      return res.json.data as Array<{ id: string; transferId: string; kind: string }>;
    };
    const debits = await rest({ kind: "order_debit" });
    expect(ids(debits)).toEqual(ids((await api.wallet.transactions({ environment: env, kind: "order_debit" })).data));
    expect(debits[0]!.transferId).toMatch(/^trf_/);
    expect(ids(await rest({ reference: "wallet_a" }))).toEqual(ids((await api.wallet.transactions({ environment: env, reference: "wallet_a" })).data));
    const from = `${today}T00:00:00Z`;
    const to = `${tomorrow}T00:00:00Z`;
    expect(ids(await rest({ from, to, limit: "100" }))).toEqual(
      ids((await api.wallet.transactions({ environment: env, from: today, to: today, limit: 100 })).data),
    );
    expect(await rest({ from: to })).toEqual([]);
    const bad = await call(txRoute.GET, "/api/v1/wallet/transactions", { key: secret, query: { kind: "gift" } });
    expect(bad.status).toBe(400);
  });
});

describe("wallet.statement", () => {
  it("gives totals equal to the sum of its lines and a closing balance equal to the wallet's", async () => {
    const api = await callerFor(users.finance!);
    const s = await api.wallet.statement({ environment: env, currency: "USD", from: yesterday, to: today });
    expect(s.lines.length).toBe(s.entryCount);
    expect(s.truncated).toBe(false);
    const credits = sumAmounts(s.lines.filter((l) => !l.amount.startsWith("-")).map((l) => l.amount));
    const debits = sumAmounts(s.lines.filter((l) => l.amount.startsWith("-")).map((l) => l.amount.slice(1)));
    expect(s.totalCredits).toBe(credits);
    expect(s.totalDebits).toBe(debits);
    expect(s.closingBalance).toBe(subAmounts(addAmounts(s.openingBalance, credits), debits));
    expect(s.closingBalance).toBe(s.lines.at(-1)!.balanceAfter);
    const { wallets } = await api.wallet.balances({ environment: env });
    expect(wallets.find((w) => w.currency === "USD")!.balance).toBe(s.closingBalance);

    // A period after today: everything is in the opening balance.
    const later = await api.wallet.statement({ environment: env, currency: "USD", from: tomorrow, to: tomorrow });
    expect(later).toMatchObject({ openingBalance: s.closingBalance, closingBalance: s.closingBalance, entryCount: 0, lines: [] });

    expect(await codeOf(api.wallet.statement({ environment: env, currency: "USD", from: today, to: yesterday }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.wallet.statement({ environment: env, currency: "EUR", from: today, to: today }))).toBe("NOT_FOUND");
  });
});

describe("the dashboard's statement CSV route", () => {
  const range = { currency: "USD", from: yesterday, to: today, environment: env };

  it("needs a session (401) and the owner or finance role (403 for developers)", async () => {
    expect((await downloadAs(null, range)).status).toBe(401);
    const dev = await downloadAs(users.developer!, range);
    expect(dev.status).toBe(403);
    expect(dev.text).not.toContain("entry_id");
  });

  it("gives finance exactly the statement's lines, the same range as the page, and B only B's rows", async () => {
    const res = await downloadAs(users.finance!, range);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toContain(`steller-sandbox-USD-${yesterday}-to-${today}.csv`);
    const rows = res.text.trim().split("\r\n");
    expect(rows[0]).toBe("date,entry_id,transfer_id,kind,reference,debit,credit,balance,currency");
    const statement = await (await callerFor(users.finance!)).wallet.statement(range);
    expect(rows.slice(1).map((r) => r.split(",")[1])).toEqual(statement.lines.map((l) => l.id));
    expect(res.headers.get("x-closing-balance")).toBe("1175.75");

    const b = await downloadAs(financeB, range);
    expect(b.status).toBe(200);
    const bRefs = b.text
      .trim()
      .split("\r\n")
      .slice(1)
      .map((r) => r.split(",")[4]);
    expect(bRefs.sort()).toEqual([partnerB, "ord_wallet_b_1"].sort());
  });

  it("refuses a bad range and a currency without a wallet", async () => {
    expect((await downloadAs(users.finance!, { ...range, from: today, to: yesterday })).status).toBe(400);
    expect((await downloadAs(users.finance!, { ...range, from: "2025-01-01", to: "2026-06-01" })).status).toBe(400);
    expect((await downloadAs(users.finance!, { ...range, currency: "EUR" })).status).toBe(404);
  });
});

describe("top-up requests", () => {
  it("files a request through the API's domain function, audited, and lists the history with decisions", async () => {
    const api = await callerFor(users.finance!);
    const bad = await api.wallet.topups.create({ environment: env, currency: "USD", amount: "12.34567" }).catch((e: TRPCError) => e);
    expect(bad).toBeInstanceOf(TRPCError);
    expect((bad as TRPCError).code).toBe("BAD_REQUEST");

    const made = await api.wallet.topups.create({ environment: env, currency: "USD", amount: "5000.00", note: "PO 4471" });
    expect(made).toMatchObject({ status: "pending", amount: "5000.0000", currency: "USD" });
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "topup.requested"), eq(auditLog.targetId, made.id)));
    expect(audit).toMatchObject({ actorUserId: users.finance, partnerId: partnerA });

    const history = await api.wallet.topups.list({ environment: env });
    expect(history[0]).toMatchObject({ id: made.id, status: "pending", note: "PO 4471" });
    expect(history[0]!.requestedBy).toContain("@example.test");
    expect(history.find((h) => h.status === "rejected")).toMatchObject({ decisionReason: "No transfer received", amount: "9999.0000" });
    expect(history.find((h) => h.status === "approved")).toMatchObject({ amount: "200.0000" });
    expect(await api.wallet.topups.list({ environment: "live" })).toEqual([]);

    const { wallets } = await api.wallet.balances({ environment: env });
    // 1.00 from the role matrix (owner and finance) and 5000.00 here are pending.
    expect(wallets[0]).toMatchObject({ currency: "USD", pendingTopups: "5002.0000", low: false });
  });
});

describe("wallet.balances: the low-balance flag", () => {
  it("follows the wallet's own threshold (settings) exactly as the overview does", async () => {
    const api = await callerFor(ownerB);
    const flags = async () => {
      const [wallet, overview] = await Promise.all([api.wallet.balances({ environment: env }), api.dashboard.overview({ environment: env })]);
      return { wallet: wallet.wallets.map((w) => [w.currency, w.low]), overview: overview.wallets.map((w) => [w.currency, w.forecast.low]) };
    };
    // B holds 990.00: below a 1000.00 threshold of its sandbox USD wallet, above the default.
    expect(await flags()).toEqual({ wallet: [["USD", false]], overview: [["USD", false]] });
    await setWalletLowBalanceThreshold(t.db, { partnerId: partnerB, environment: env, currency: "USD", threshold: "1000.0000" });
    expect(await flags()).toEqual({ wallet: [["USD", true]], overview: [["USD", true]] });
    expect((await api.wallet.balances({ environment: env })).wallets[0]!.threshold).toBe("1000.0000");
    await setWalletLowBalanceThreshold(t.db, { partnerId: partnerB, environment: env, currency: "USD", threshold: null });
    expect(await flags()).toEqual({ wallet: [["USD", false]], overview: [["USD", false]] });
  });
});
