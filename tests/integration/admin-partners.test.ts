import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/keys/route";
import { newId } from "@/lib/ids";
import { attemptLogin } from "@/server/auth/login";
import { loadSessionUser } from "@/server/auth/session-user";
import { auditLog, goLiveRequests, jobEvents, ledgerAccounts, partnerMilestones, partners, users } from "@/server/db/schema";
import { createApiKey } from "@/server/keys";
import { setPartnerStatus } from "@/server/partners/admin";
import { bindAppDatabase, call } from "../support/app";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

// Issue 17 items 2 and 3: the admin's partners (list, detail, manual onboarding, edit, suspend /
// reactivate) and the go-live queue. Every procedure: partner users are refused, admins succeed,
// and each change writes one audit entry in its own transaction (none when it fails).

let t: TestDatabase;
let adminId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  adminId = (await makeUser(t.db, { admin: true })).id;
});
afterAll(async () => {
  await t?.close();
});

const admin = () => sessionCaller(t.db, adminId);
const auditOf = (partnerId: string, action?: string) =>
  t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.partnerId, partnerId), action ? eq(auditLog.action, action) : undefined));

async function partnerWithOwner(name = "Acme Rewards") {
  const partnerId = await makePartner(t.db, name);
  const owner = await makeUser(t.db, { partnerId, role: "owner" });
  return { partnerId, owner };
}

const signIn = (email: string) =>
  attemptLogin(t.db, { email, password: "correct horse battery", ip: "10.77.0.1" }, { maxFailuresPerEmail: 20, maxFailuresPerIp: 20, windowMinutes: 15 });

const goLiveDetails = {
  legalName: "Queue Test Ltd",
  registrationNumber: "87654321",
  website: "https://queue.example.com",
  expectedMonthlyVolume: "25000.00",
  useCase: "Rewards for survey participants, paid as gift cards.",
};

describe("admin.partners: who may call", () => {
  it("refuses every procedure to a partner owner (FORBIDDEN) and to a visitor (UNAUTHORIZED)", async () => {
    const { partnerId, owner } = await partnerWithOwner();
    const before = (await auditOf(partnerId)).length;
    {
      const p = (await sessionCaller(t.db, owner.id)).admin.partners;
      expect(await codeOf(p.list())).toBe("FORBIDDEN");
      expect(await codeOf(p.get({ partnerId }))).toBe("FORBIDDEN");
      expect(await codeOf(p.create({ businessName: "Sneaky", contactEmail: "a@b.test", ownerEmail: "c@d.test" }))).toBe("FORBIDDEN");
      expect(await codeOf(p.update({ partnerId, businessName: "Renamed", contactEmail: "x@y.test" }))).toBe("FORBIDDEN");
      expect(await codeOf(p.suspend({ partnerId, reason: "no" }))).toBe("FORBIDDEN");
      expect(await codeOf(p.reactivate({ partnerId, reason: "no" }))).toBe("FORBIDDEN");
      expect(await codeOf(p.goLiveRequests())).toBe("FORBIDDEN");
      expect(await codeOf(p.decideGoLive({ requestId: "glr_x", decision: "approve" }))).toBe("FORBIDDEN");
    }
    expect(await codeOf((await sessionCaller(t.db, null)).admin.partners.list())).toBe("UNAUTHORIZED");
    const [p] = await t.db.select().from(partners).where(eq(partners.id, partnerId));
    expect(p).toMatchObject({ businessName: "Acme Rewards", status: "active" });
    expect(await auditOf(partnerId)).toHaveLength(before);
  });
});

describe("admin.partners.list", () => {
  it("searches by name, email (contact or member) and id, filters by status and onboarding, pages by cursor, with balances and last activity from SQL", async () => {
    const tag = randomUUID().slice(0, 8);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await makePartner(t.db, `Listco ${tag} ${i}`));
    // Partner 0: wallets in two environments and currencies, an order, a member who signed in.
    const [p0, p1, p2] = ids as [string, string, string];
    await t.db.insert(ledgerAccounts).values([
      { id: newId("acc"), kind: "partner_wallet", partnerId: p0, environment: "sandbox", currency: "USD", balance: "1000.0000" },
      { id: newId("acc"), kind: "partner_wallet", partnerId: p0, environment: "live", currency: "USD", balance: "250.5000" },
      { id: newId("acc"), kind: "partner_wallet", partnerId: p0, environment: "live", currency: "EUR", balance: "12.3400" },
    ]);
    const member = await makeUser(t.db, { partnerId: p0, role: "developer", email: `dev-${tag}@member.test` });
    const signedIn = new Date("2026-11-01T10:00:00Z");
    await t.db.update(users).set({ lastLoginAt: signedIn }).where(eq(users.id, member.id));
    await t.db.update(partners).set({ status: "suspended" }).where(eq(partners.id, p1));
    await t.db.update(partners).set({ onboardingState: "live" }).where(eq(partners.id, p2));

    const api = await admin();
    const all = await api.admin.partners.list({ q: tag });
    expect(all.data.map((r) => r.id)).toEqual([...ids].reverse());
    const row0 = all.data.find((r) => r.id === p0)!;
    expect(row0.balances).toEqual([
      { environment: "sandbox", currency: "USD", balance: "1000.0000" },
      { environment: "live", currency: "EUR", balance: "12.3400" },
      { environment: "live", currency: "USD", balance: "250.5000" },
    ]);
    expect(row0.lastSignInAt?.toISOString()).toBe(signedIn.toISOString());
    expect(row0.lastActivityAt?.toISOString()).toBe(signedIn.toISOString());
    expect(row0.members).toBe(1);
    expect(all.data.find((r) => r.id === p2)!.balances).toEqual([]);
    expect(all.data.find((r) => r.id === p2)!.lastActivityAt).toBeNull();

    // Search: a member's email, the exact id, the contact email; nothing for a stranger.
    expect((await api.admin.partners.list({ q: `dev-${tag}@member` })).data.map((r) => r.id)).toEqual([p0]);
    expect((await api.admin.partners.list({ q: p2 })).data.map((r) => r.id)).toEqual([p2]);
    expect((await api.admin.partners.list({ q: `ops@${p1}` })).data.map((r) => r.id)).toEqual([p1]);
    expect((await api.admin.partners.list({ q: `${tag}_%` })).data).toEqual([]);
    // Filters.
    expect((await api.admin.partners.list({ q: tag, status: "suspended" })).data.map((r) => r.id)).toEqual([p1]);
    expect((await api.admin.partners.list({ q: tag, onboarding: "live" })).data.map((r) => r.id)).toEqual([p2]);
    // Pages of two, by cursor, cover the five once each.
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 4; page++) {
      const res = await api.admin.partners.list({ q: tag, limit: 2, after });
      seen.push(...res.data.map((r) => r.id));
      if (!res.nextCursor) break;
      after = res.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });
});

describe("admin.partners.create (manual onboarding)", () => {
  it("creates the partner (signup_source admin) and invites its owner by email, audited with the admin's id", async () => {
    const api = await admin();
    const ownerEmail = `owner-${randomUUID().slice(0, 6)}@byhand.test`;
    const { partnerId, invitation } = await api.admin.partners.create({
      businessName: "By Hand Ltd",
      contactEmail: "Ops@ByHand.test",
      country: "gb",
      ownerEmail,
    });
    const [p] = await t.db.select().from(partners).where(eq(partners.id, partnerId));
    expect(p).toMatchObject({ businessName: "By Hand Ltd", contactEmail: "ops@byhand.test", country: "GB", signupSource: "admin", createdBy: adminId });
    expect(invitation).toMatchObject({ email: ownerEmail.toLowerCase(), role: "owner", state: "pending" });
    const emails = (await t.db.select().from(jobEvents).where(eq(jobEvents.name, "email/requested"))).filter(
      (e) => (e.data as { partnerId?: string }).partnerId === partnerId,
    );
    expect(emails.map((e) => (e.data as { template: string }).template)).toEqual(["team_invite"]);
    const audit = await auditOf(partnerId);
    expect(audit.map((a) => a.action).sort()).toEqual(["partner.created", "team.invitation_created"]);
    expect(audit.find((a) => a.action === "partner.created")).toMatchObject({ actorUserId: adminId, after: expect.objectContaining({ ownerEmail }) });
    // The detail page's data.
    const detail = await api.admin.partners.get({ partnerId });
    expect(detail.invitations.map((i) => i.email)).toEqual([ownerEmail]);
    expect(detail.partner.businessName).toBe("By Hand Ltd");
  });

  it("writes nothing when it fails (an invalid owner email: no partner, no invitation, no audit entry)", async () => {
    const api = await admin();
    const partnersBefore = (await t.db.select().from(partners)).length;
    const auditBefore = (await t.db.select().from(auditLog)).length;
    expect(await codeOf(api.admin.partners.create({ businessName: "Broken Ltd", contactEmail: "ops@broken.test", ownerEmail: "not an email" }))).toBe(
      "BAD_REQUEST",
    );
    expect((await t.db.select().from(partners)).length).toBe(partnersBefore);
    expect((await t.db.select().from(auditLog)).length).toBe(auditBefore);
  });
});

describe("admin.partners.update", () => {
  it("edits the profile with one audit entry holding the changed fields before and after; no change, no entry", async () => {
    const { partnerId } = await partnerWithOwner("Before Name");
    const api = await admin();
    const [current] = await t.db.select().from(partners).where(eq(partners.id, partnerId));
    const res = await api.admin.partners.update({ partnerId, businessName: "After Name", contactEmail: "ops@after.test", phone: "+44 20 0000" });
    expect(res.changed.sort()).toEqual(["businessName", "contactEmail", "phone"]);
    const entries = await auditOf(partnerId, "partner.updated");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorUserId: adminId,
      before: { businessName: "Before Name", contactEmail: current!.contactEmail, phone: null },
      after: { businessName: "After Name", contactEmail: "ops@after.test", phone: "+44 20 0000" },
    });
    await api.admin.partners.update({ partnerId, businessName: "After Name", contactEmail: "OPS@after.test", phone: "+44 20 0000" });
    expect(await auditOf(partnerId, "partner.updated")).toHaveLength(1);
    expect(await codeOf(api.admin.partners.update({ partnerId: "ptn_missing", businessName: "X", contactEmail: "x@y.test" }))).toBe("NOT_FOUND");
  });
});

describe("admin.partners.suspend / reactivate", () => {
  it("a suspended partner's API keys get 403 account_suspended and its members' sessions stop at once; reactivating restores both", async () => {
    const { partnerId, owner } = await partnerWithOwner("Suspend Me");
    const { secret } = await createApiKey(t.db, { partnerId, environment: "sandbox", actor: "test" });
    const apiGet = () => call(keysRoute.GET, "/api/v1/keys", { key: secret });
    expect((await apiGet()).status).toBe(200);
    expect(await codeOf((await sessionCaller(t.db, owner.id)).team.me())).toBe("OK");

    const api = await admin();
    expect(await codeOf(api.admin.partners.suspend({ partnerId, reason: "  " }))).toBe("BAD_REQUEST");
    expect(await auditOf(partnerId, "partner.suspended")).toHaveLength(0);
    await api.admin.partners.suspend({ partnerId, reason: "Chargebacks under review" });

    const refused = await apiGet();
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: "account_suspended", message: expect.stringContaining("suspended") });
    // The session: no workspace any more, so nothing (the owner of only this partner is signed out).
    expect(await loadSessionUser(t.db, owner.id)).toBeNull();
    expect(await codeOf((await sessionCaller(t.db, owner.id)).team.me())).toBe("UNAUTHORIZED");
    // Signing in again says why, instead of a silent return to the sign-in form.
    expect(await signIn(owner.email)).toMatchObject({ ok: false, reason: "suspended" });
    // Suspending twice is refused, and writes no second entry.
    expect(await codeOf(api.admin.partners.suspend({ partnerId, reason: "again" }))).toBe("CONFLICT");
    const suspended = await auditOf(partnerId, "partner.suspended");
    expect(suspended).toHaveLength(1);
    expect(suspended[0]).toMatchObject({
      actorUserId: adminId,
      reason: "Chargebacks under review",
      before: { status: "active" },
      after: { status: "suspended" },
    });

    await api.admin.partners.reactivate({ partnerId, reason: "Review cleared" });
    expect((await apiGet()).status).toBe(200);
    expect(await codeOf((await sessionCaller(t.db, owner.id)).team.me())).toBe("OK");
    expect(await signIn(owner.email)).toMatchObject({ ok: true });
    expect(await auditOf(partnerId, "partner.reactivated")).toHaveLength(1);
  });

  it("records the admin's client IP with the entry", async () => {
    const { partnerId } = await partnerWithOwner();
    await setPartnerStatus(t.db, { partnerId, status: "suspended", reason: "Fraud check", actor: adminId, ip: "203.0.113.7" });
    const [entry] = await auditOf(partnerId, "partner.suspended");
    expect(entry).toMatchObject({ ip: "203.0.113.7", reason: "Fraud check" });
  });
});

describe("admin.partners.get", () => {
  it("shows everything about one partner: profile, milestones, team, wallets, recent orders, keys, go-live request, audit", async () => {
    const { partnerId, owner } = await partnerWithOwner("Detail Co");
    await t.db.insert(partnerMilestones).values({ partnerId, milestone: "signed_up" });
    await t.db
      .insert(ledgerAccounts)
      .values({ id: newId("acc"), kind: "partner_wallet", partnerId, environment: "sandbox", currency: "USD", balance: "10.0000" });
    await createApiKey(t.db, { partnerId, environment: "sandbox", name: "ci", actor: owner.id });
    const api = await admin();
    const d = await api.admin.partners.get({ partnerId });
    expect(d.partner.businessName).toBe("Detail Co");
    expect(d.team.map((m) => m.userId)).toEqual([owner.id]);
    expect(d.onboarding.steps.filter((s) => s.doneAt).map((s) => s.milestone)).toEqual(["signed_up"]);
    expect(d.onboarding).toMatchObject({ done: 1, total: 9 });
    expect(d.wallets).toEqual([{ environment: "sandbox", currency: "USD", balance: "10.0000" }]);
    expect(d.keys.map((k) => k.name)).toEqual(["ci"]);
    expect(d.recentOrders).toEqual([]);
    expect(d.audit.map((a) => a.action)).toContain("api_key.created");
    expect(await codeOf(api.admin.partners.get({ partnerId: "ptn_nope" }))).toBe("NOT_FOUND");
  });
});

describe("admin.partners go-live queue", () => {
  async function pendingRequest() {
    const { partnerId, owner } = await partnerWithOwner("Queue Co");
    await t.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, owner.id));
    const request = await (await sessionCaller(t.db, owner.id)).onboarding.goLive.request(goLiveDetails);
    return { partnerId, owner, request };
  }
  const decidedEmails = async (partnerId: string) =>
    (await t.db.select().from(jobEvents).where(eq(jobEvents.name, "email/requested"))).filter(
      (e) => (e.data as { partnerId?: string }).partnerId === partnerId && (e.data as { template?: string }).template === "go_live_decided",
    );

  it("lists pending requests with the submitted details; approving grants live access, records the milestone, emails the partner, audits once", async () => {
    const { partnerId, request } = await pendingRequest();
    const api = await admin();
    const pending = await api.admin.partners.goLiveRequests({ status: "pending" });
    expect(pending.find((r) => r.request.id === request.id)).toMatchObject({ businessName: "Queue Co", request: { ...goLiveDetails, status: "pending" } });

    await api.admin.partners.decideGoLive({ requestId: request.id, decision: "approve" });
    const [p] = await t.db.select().from(partners).where(eq(partners.id, partnerId));
    expect(p!.onboardingState).toBe("live");
    const milestones = await t.db.select().from(partnerMilestones).where(eq(partnerMilestones.partnerId, partnerId));
    expect(milestones.map((m) => m.milestone)).toContain("go_live_approved");
    expect(await decidedEmails(partnerId)).toHaveLength(1);
    const entries = await auditOf(partnerId, "go_live.approved");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorUserId: adminId,
      before: { status: "pending", onboardingState: "kyc_pending" },
      after: { status: "approved", onboardingState: "live" },
    });
    // Deciding again is refused and writes nothing more.
    expect(await codeOf(api.admin.partners.decideGoLive({ requestId: request.id, decision: "reject", reason: "late" }))).toBe("CONFLICT");
    expect(await auditOf(partnerId, "go_live.rejected")).toHaveLength(0);
    expect(await decidedEmails(partnerId)).toHaveLength(1);
  });

  it("rejecting needs a reason (none: refused, nothing written); with one the partner returns to the sandbox and is told why", async () => {
    const { partnerId, request } = await pendingRequest();
    const api = await admin();
    expect(await codeOf(api.admin.partners.decideGoLive({ requestId: request.id, decision: "reject", reason: "   " }))).toBe("BAD_REQUEST");
    expect((await t.db.select().from(goLiveRequests).where(eq(goLiveRequests.id, request.id)))[0]!.status).toBe("pending");
    expect(await auditOf(partnerId, "go_live.rejected")).toHaveLength(0);
    expect(await decidedEmails(partnerId)).toHaveLength(0);

    await api.admin.partners.decideGoLive({ requestId: request.id, decision: "reject", reason: "Website does not match the company" });
    const [p] = await t.db.select().from(partners).where(eq(partners.id, partnerId));
    expect(p!.onboardingState).toBe("sandbox_active");
    const emails = await decidedEmails(partnerId);
    expect(emails).toHaveLength(1);
    expect((emails[0]!.data as { params: { reason: string } }).params.reason).toBe("Website does not match the company");
    const entries = await auditOf(partnerId, "go_live.rejected");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ reason: "Website does not match the company", after: { status: "rejected", onboardingState: "sandbox_active" } });
  });
});
