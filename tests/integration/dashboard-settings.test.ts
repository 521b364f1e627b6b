import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, partners, webhookEvents } from "@/server/db/schema";
import { adminCredit, grantSandboxFunds } from "@/server/ledger";
import { sendReEngagementEmails } from "@/server/partners/activation";
import { checkLowBalance } from "@/server/webhooks/sources";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { codeOf, sessionCaller } from "../support/callers";

// Issue 16, settings: company profile and contacts (owners edit, everyone reads), the low-balance
// threshold per environment and currency (the alert fires at the new one), email preferences
// (the re-engagement job honours the opt-out), every change audited.

let t: TestDatabase;

const callerFor = (userId: string) => sessionCaller(t.db, userId);

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t, { email: { secret: "x".repeat(32), appUrl: "http://app.steller.test", smtpUrl: undefined, from: "Steller <no-reply@steller.test>" } });
});
afterAll(async () => {
  await t?.close();
});

const profile = {
  businessName: "Gamma Gifts Ltd",
  registrationNumber: "12345678",
  contactEmail: "Ops@Gamma.test",
  phone: "",
  address: "1 Main St",
  country: "gb",
};

describe("settings", () => {
  it("owners edit profile and contacts (audited); finance and developers read but cannot change; another partner's settings stay apart", async () => {
    const p = await makePartner(t.db, "Gamma");
    const other = await makePartner(t.db, "Delta");
    const owner = await callerFor((await makeUser(t.db, { partnerId: p, role: "owner" })).id);
    const dev = await callerFor((await makeUser(t.db, { partnerId: p, role: "developer" })).id);
    const fin = await callerFor((await makeUser(t.db, { partnerId: p, role: "finance" })).id);
    const otherOwner = await callerFor((await makeUser(t.db, { partnerId: other, role: "owner" })).id);

    expect(await owner.settings.updateProfile(profile)).toMatchObject({ changed: expect.arrayContaining(["businessName", "country", "contactEmail"]) });
    await owner.settings.updateContacts({ billingEmail: "Billing@Gamma.test", technicalEmail: "" });
    const s = await fin.settings.get({ environment: "sandbox" });
    expect(s.profile).toMatchObject({ businessName: "Gamma Gifts Ltd", country: "GB", contactEmail: "ops@gamma.test", phone: null, address: "1 Main St" });
    expect(s.contacts).toEqual({ billingEmail: "billing@gamma.test", technicalEmail: null });
    expect((await dev.settings.get({ environment: "live" })).profile.businessName).toBe("Gamma Gifts Ltd");

    for (const c of [dev, fin]) {
      expect(await codeOf(c.settings.updateProfile(profile))).toBe("FORBIDDEN");
      expect(await codeOf(c.settings.updateContacts({ billingEmail: null, technicalEmail: null }))).toBe("FORBIDDEN");
      expect(await codeOf(c.settings.setLowBalanceThreshold({ environment: "sandbox", currency: "USD", threshold: "1.00" }))).toBe("FORBIDDEN");
      expect(await codeOf(c.settings.updateEmailPreferences({ reEngagement: false }))).toBe("FORBIDDEN");
    }
    // Invalid input: BAD_REQUEST naming the field.
    await expect(owner.settings.updateContacts({ billingEmail: "not an email", technicalEmail: null })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(owner.settings.setLowBalanceThreshold({ environment: "sandbox", currency: "USD", threshold: "1e3" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    // Tenant isolation: B's owner changes B only.
    await otherOwner.settings.updateContacts({ billingEmail: "b@delta.test", technicalEmail: null });
    expect((await owner.settings.get({ environment: "sandbox" })).contacts.billingEmail).toBe("billing@gamma.test");
    expect((await otherOwner.settings.get({ environment: "sandbox" })).profile.businessName).toBe("Delta");

    const actions = (await t.db.select({ a: auditLog.action }).from(auditLog).where(eq(auditLog.partnerId, p))).map((r) => r.a);
    expect(actions).toEqual(expect.arrayContaining(["settings.profile_updated", "settings.contacts_updated"]));
  });

  it("a wallet's own threshold (environment + currency) overrides the default: the alert fires at it, the overview and forecast use it", async () => {
    const p = await makePartner(t.db, "Threshold Co");
    const owner = await callerFor((await makeUser(t.db, { partnerId: p, role: "owner" })).id);
    await grantSandboxFunds(t.db, p); // sandbox USD 1000.00
    await adminCredit(t.db, { partnerId: p, environment: "live", currency: "USD", amount: "1000.00", reason: "test", actor: "admin" });
    await owner.settings.setLowBalanceThreshold({ environment: "sandbox", currency: null, threshold: "50.00" });
    expect(await checkLowBalance(t.db, { partnerId: p, environment: "sandbox", currency: "USD" })).toEqual({ below: false, eventId: null });

    // Sandbox USD at 1500: the 1000.00 wallet is now below its own threshold, live USD is not.
    await owner.settings.setLowBalanceThreshold({ environment: "sandbox", currency: "usd", threshold: "1500.00" });
    const sandbox = await checkLowBalance(t.db, { partnerId: p, environment: "sandbox", currency: "USD" });
    expect(sandbox.below).toBe(true);
    const [event] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.id, sandbox.eventId!));
    expect(event).toMatchObject({ type: "wallet.low_balance", environment: "sandbox" });
    expect(event!.payload).toMatchObject({ data: { currency: "USD", balance: "1000.0000", threshold: "1500.0000" } });
    expect(await checkLowBalance(t.db, { partnerId: p, environment: "live", currency: "USD" })).toEqual({ below: false, eventId: null });

    const settings = await owner.settings.get({ environment: "sandbox" });
    expect(settings.thresholds).toEqual({
      environment: "sandbox",
      default: "50.0000",
      wallets: [{ currency: "USD", balance: "1000.0000", threshold: "1500.0000" }],
    });
    expect((await owner.settings.get({ environment: "live" })).thresholds.wallets).toEqual([{ currency: "USD", balance: "1000.0000", threshold: null }]);
    const overview = await owner.dashboard.overview({ environment: "sandbox" });
    expect(overview.wallets.find((w) => w.currency === "USD")?.threshold).toBe("1500.0000");
    expect((await owner.dashboard.overview({ environment: "live" })).wallets.find((w) => w.currency === "USD")?.threshold).toBe("50.0000");

    // Back to the default: above it again, so the alert is re-armed.
    await owner.settings.setLowBalanceThreshold({ environment: "sandbox", currency: "USD", threshold: null });
    expect(await checkLowBalance(t.db, { partnerId: p, environment: "sandbox", currency: "USD" })).toEqual({ below: false, eventId: null });
    const actions = (await t.db.select({ a: auditLog.action }).from(auditLog).where(eq(auditLog.partnerId, p))).map((r) => r.a);
    expect(actions.filter((a) => a === "settings.low_balance_threshold_updated")).toHaveLength(3);
  });

  it("the re-engagement job skips a partner that opted out (email preferences), and emails it again once it opts back in", async () => {
    const now = new Date("2026-11-01T10:00:00Z");
    const old = new Date(now.getTime() - 40 * 24 * 3600_000);
    const optedOut = await makePartner(t.db, "Quiet please");
    const stays = await makePartner(t.db, "Still listening");
    await t.db.update(partners).set({ createdAt: old }).where(eq(partners.id, optedOut));
    await t.db.update(partners).set({ createdAt: old }).where(eq(partners.id, stays));
    const ownerOut = await makeUser(t.db, { partnerId: optedOut, role: "owner" });
    await makeUser(t.db, { partnerId: stays, role: "owner" });
    const c = await callerFor(ownerOut.id);
    await c.settings.updateEmailPreferences({ reEngagement: false });
    expect((await c.settings.get({ environment: "sandbox" })).emailPreferences).toEqual({ reEngagement: false });

    const first = await sendReEngagementEmails(t.db, { inactiveDays: 30, now });
    expect(first.partnerIds).toContain(stays);
    expect(first.partnerIds).not.toContain(optedOut);

    await c.settings.updateEmailPreferences({ reEngagement: true });
    const second = await sendReEngagementEmails(t.db, { inactiveDays: 30, now });
    expect(second.partnerIds).toEqual([optedOut]);
    const actions = (await t.db.select({ a: auditLog.action }).from(auditLog).where(eq(auditLog.partnerId, optedOut))).map((r) => r.a);
    expect(actions.filter((a) => a === "settings.email_preferences_updated")).toHaveLength(2);
  });
});
