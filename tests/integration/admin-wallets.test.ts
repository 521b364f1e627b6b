import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminStatementCsv } from "@/app/admin/wallets/statement-csv";
import { loadSessionUser } from "@/server/auth/session-user";
import { adminCredit, debitForOrder, findWallet, requestTopup } from "@/server/ledger";
import { bindAppDatabase } from "../support/app";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

/**
 * Admin wallets (issue 17 item 5): balances per partner and environment, credit and adjustment
 * with a mandatory reason (an adjustment may debit, never below zero), the top-up queue, a
 * partner's ledger with filters. Every money action writes exactly one audit entry (who, reason,
 * balance before and after, IP) in its own transaction; a refused one writes none.
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
});
afterAll(async () => t?.close());

async function setup(name: string) {
  const partnerId = await makePartner(t.db, name);
  const owner = await makeUser(t.db, { partnerId, role: "owner" });
  const admin = await makeUser(t.db, { admin: true });
  return { partnerId, ownerId: owner.id, adminId: admin.id, asOwner: await sessionCaller(t.db, owner.id), asAdmin: await sessionCaller(t.db, admin.id) };
}

const auditsOf = (partnerId: string) =>
  t.sql`select action, actor_user_id, reason, before, after, metadata, ip from audit_log where partner_id = ${partnerId} and action <> 'topup.requested' order by at, id`;
const balance = async (partnerId: string, environment: "sandbox" | "live" = "live") => (await findWallet(t.db, partnerId, environment, "USD"))?.balance ?? null;

describe("admin wallets", () => {
  it("refuses every procedure to a partner's owner (FORBIDDEN); nothing moves, nothing is audited", async () => {
    const { partnerId, asOwner, ownerId } = await setup("Owner only");
    const request = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "10.00", requestedBy: ownerId });
    const money = { partnerId, environment: "live", currency: "USD", amount: "50.00", reason: "bank transfer" } as const;
    const calls = [
      asOwner.admin.wallets.balances({}),
      asOwner.admin.wallets.topups(),
      asOwner.admin.wallets.approveTopup({ requestId: request.id }),
      asOwner.admin.wallets.rejectTopup({ requestId: request.id, reason: "no proof" }),
      asOwner.admin.wallets.creditWallet(money),
      asOwner.admin.wallets.adjustWallet(money),
      asOwner.admin.wallets.ledger({ partnerId, environment: "live" }),
      asOwner.admin.wallets.entry({ partnerId, environment: "live", entryId: "ent_x" }),
    ];
    for (const c of calls) expect(await codeOf(c)).toBe("FORBIDDEN");
    expect(await balance(partnerId)).toBeNull();
    expect(await auditsOf(partnerId)).toHaveLength(0);
  });

  it("a credit states the balance before and after and writes exactly one audit entry with the reason and IP", async () => {
    const { partnerId, asAdmin, adminId } = await setup("Credit");
    await adminCredit(t.db, { partnerId, environment: "live", currency: "USD", amount: "10.00", reason: "opening", actor: "system:test" });
    const result = await asAdmin.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "usd", amount: "500.00", reason: "Wire 2026-11-30" });
    expect({ before: result.balanceBefore, after: result.balanceAfter, amount: result.transfer.amount }).toEqual({
      before: "10.0000",
      after: "510.0000",
      amount: "500.0000",
    });
    expect(await balance(partnerId)).toBe("510.0000");
    const audits = await auditsOf(partnerId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      action: "wallet.credited",
      actor_user_id: adminId,
      reason: "Wire 2026-11-30",
      before: { balance: "10.0000" },
      after: { balance: "510.0000" },
      metadata: { amount: "500.0000", currency: "USD", environment: "live" },
    });
    expect(audits[0]!.ip).toBeTruthy();
  });

  it("an adjustment may debit, never below zero: the refused one changes nothing and writes no audit entry; a reason is mandatory", async () => {
    const { partnerId, asAdmin } = await setup("Adjust");
    await asAdmin.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "100.00", reason: "funding" });
    const down = await asAdmin.admin.wallets.adjustWallet({ partnerId, environment: "live", currency: "USD", amount: "-60.00", reason: "duplicate wire" });
    expect([down.balanceBefore, down.balanceAfter]).toEqual(["100.0000", "40.0000"]);
    const up = await asAdmin.admin.wallets.adjustWallet({ partnerId, environment: "live", currency: "USD", amount: "2.5", reason: "fee refund" });
    expect([up.balanceBefore, up.balanceAfter]).toEqual(["40.0000", "42.5000"]);
    expect((await auditsOf(partnerId)).map((a) => a.action)).toEqual(["wallet.credited", "wallet.adjusted", "wallet.adjusted"]);

    // Below zero: refused by the ledger, the transaction rolled back with its audit entry.
    const below = await asAdmin.admin.wallets
      .adjustWallet({ partnerId, environment: "live", currency: "USD", amount: "-42.5001", reason: "too much" })
      .catch((e: unknown) => e);
    expect(below).toMatchObject({ code: "PAYMENT_REQUIRED" });
    // No reason, a zero or a malformed amount: refused before anything runs.
    for (const bad of [
      { amount: "-1.00", reason: "" },
      { amount: "-1.00", reason: "  " },
      { amount: "0", reason: "nothing" },
      { amount: "1.00001", reason: "five decimals" },
    ]) {
      expect(await codeOf(asAdmin.admin.wallets.adjustWallet({ partnerId, environment: "live", currency: "USD", ...bad }))).toBe("BAD_REQUEST");
    }
    expect(await codeOf(asAdmin.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "-5.00", reason: "negative" }))).toBe(
      "BAD_REQUEST",
    );
    // A debit of a wallet that does not exist yet (sandbox here) is refused the same way.
    expect(await codeOf(asAdmin.admin.wallets.adjustWallet({ partnerId, environment: "sandbox", currency: "USD", amount: "-1.00", reason: "none" }))).toBe(
      "PAYMENT_REQUIRED",
    );
    expect(await balance(partnerId)).toBe("42.5000");
    expect(await auditsOf(partnerId)).toHaveLength(3);
  });

  it("top-up queue: approve moves the money once with one audit entry (balance before/after, reason); reject needs a reason and is audited once", async () => {
    const { partnerId, asAdmin, ownerId } = await setup("Queue");
    const one = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "300.00", requestedBy: ownerId, note: "wire ref 9" });
    const two = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "75.00", requestedBy: ownerId });
    const pending = await asAdmin.admin.wallets.topups({ status: "pending", partnerId });
    expect(pending.map((r) => [r.id, r.businessName, r.requestedByLabel.endsWith("@example.test")])).toEqual([
      [two.id, "Queue", true],
      [one.id, "Queue", true],
    ]);
    const balances = await asAdmin.admin.wallets.balances({ search: "queue" });
    expect(balances.data.filter((r) => r.partnerId === partnerId)).toEqual([expect.objectContaining({ accountId: null, pendingTopups: "0.0000" })]);

    await Promise.all([
      asAdmin.admin.wallets.approveTopup({ requestId: one.id, reason: "wire seen" }),
      asAdmin.admin.wallets.approveTopup({ requestId: one.id, reason: "wire seen" }),
    ]);
    expect(await balance(partnerId)).toBe("300.0000");
    expect(await codeOf(asAdmin.admin.wallets.rejectTopup({ requestId: two.id, reason: "" }))).toBe("BAD_REQUEST");
    await asAdmin.admin.wallets.rejectTopup({ requestId: two.id, reason: "no wire received" });
    await asAdmin.admin.wallets.rejectTopup({ requestId: two.id, reason: "no wire received" });
    const audits = await auditsOf(partnerId);
    expect(audits.map((a) => a.action)).toEqual(["topup.approved", "topup.rejected"]);
    expect(audits[0]).toMatchObject({
      reason: "wire seen",
      before: { status: "pending", balance: "0.0000" },
      after: { status: "approved", balance: "300.0000" },
    });
    expect(audits[1]).toMatchObject({ reason: "no wire received", before: { status: "pending" }, after: { status: "rejected" } });
  });

  it("balances per partner and environment (SQL), with pending top-ups; a partner's ledger with filters", async () => {
    const { partnerId, asAdmin, ownerId } = await setup("Ledger Co");
    await asAdmin.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "200.00", reason: "funding" });
    await asAdmin.admin.wallets.creditWallet({ partnerId, environment: "sandbox", currency: "USD", amount: "5.00", reason: "test" });
    await asAdmin.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "EUR", amount: "7.00", reason: "funding" });
    await debitForOrder(t.db, { partnerId, environment: "live", currency: "USD", amount: "20.00", orderId: "ord_admin_ledger_1" });
    await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "50.00", requestedBy: ownerId });

    const rows = (await asAdmin.admin.wallets.balances({ search: "ledger co" })).data.filter((r) => r.partnerId === partnerId);
    expect(rows.map((r) => [r.environment, r.currency, r.balance, r.pendingTopups])).toEqual([
      ["sandbox", "USD", "5.0000", "0.0000"],
      ["live", "EUR", "7.0000", "0.0000"],
      ["live", "USD", "180.0000", "50.0000"],
    ]);
    const live = (await asAdmin.admin.wallets.balances({ search: partnerId, environment: "live" })).data;
    expect(live.map((r) => r.currency)).toEqual(["EUR", "USD"]);

    const all = await asAdmin.admin.wallets.ledger({ partnerId, environment: "live", currency: "USD" });
    expect(all.data.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ["order_debit", "-20.0000", "180.0000"],
      ["admin_credit", "200.0000", "200.0000"],
    ]);
    expect(all.data[0]!.orderId).toBe("ord_admin_ledger_1");
    expect((await asAdmin.admin.wallets.ledger({ partnerId, environment: "live", currency: "USD", kind: "admin_credit" })).data).toHaveLength(1);
    expect((await asAdmin.admin.wallets.ledger({ partnerId, environment: "live", currency: "USD", reference: "admin_ledger" })).data).toHaveLength(1);
    expect((await asAdmin.admin.wallets.ledger({ partnerId, environment: "live", currency: "USD", from: "2000-01-01", to: "2000-01-02" })).data).toHaveLength(
      0,
    );
    const entry = await asAdmin.admin.wallets.entry({ partnerId, environment: "live", entryId: all.data[0]!.id });
    expect(entry).toMatchObject({ kind: "order_debit", orderId: "ord_admin_ledger_1" });
    expect(await codeOf(asAdmin.admin.wallets.entry({ partnerId, environment: "sandbox", entryId: all.data[0]!.id }))).toBe("NOT_FOUND");
  });

  it("statement CSV of any partner for admins (the partner's own CSV); 401 without a session, 403 for a partner's owner or an admin without the second factor", async () => {
    const { partnerId, ownerId, adminId, asAdmin } = await setup("Statement");
    await asAdmin.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "500.00", reason: "funding" });
    const today = new Date().toISOString().slice(0, 10);
    const download = async (user: Awaited<ReturnType<typeof loadSessionUser>>) => {
      const url = new URL("http://localhost/admin/wallets/statement.csv");
      for (const [k, v] of Object.entries({ partner: partnerId, environment: "live", currency: "USD", from: today, to: today })) url.searchParams.set(k, v);
      const res = await adminStatementCsv(new Request(url), user, t.db);
      return { status: res.status, text: await res.text(), headers: res.headers };
    };
    expect((await download(null)).status).toBe(401);
    expect((await download(await loadSessionUser(t.db, ownerId))).status).toBe(403);
    expect((await download(await loadSessionUser(t.db, adminId))).status).toBe(403); // no second factor
    const ok = await download(await loadSessionUser(t.db, adminId, undefined, undefined, true));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-closing-balance")).toBe("500.00");
    expect(ok.text).toContain("admin_credit");
    expect(ok.text).toContain("500.00");
  });
});
