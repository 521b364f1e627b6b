import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goLiveRequests, jobEvents, partners, users } from "@/server/db/schema";
import { listApiKeys } from "@/server/keys";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { sessionCaller } from "../support/callers";

// Going live: who may ask, who may decide, and that live keys wait for the approval.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
});
afterAll(async () => {
  await t?.close();
});

const callerFor = (userId: string) => sessionCaller(t.db, userId);
const details = {
  legalName: "Acme Rewards Ltd",
  registrationNumber: "12345678",
  website: "https://acme.example.com",
  expectedMonthlyVolume: "50000.00",
  useCase: "Customer loyalty rewards paid out as gift cards in our app.",
};
async function partnerWithTeam() {
  const partnerId = await makePartner(t.db);
  const owner = await makeUser(t.db, { partnerId, role: "owner" });
  const developer = await makeUser(t.db, { partnerId, role: "developer" });
  await t.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, owner.id));
  return { partnerId, owner, developer };
}
const decidedEmails = async (partnerId: string) =>
  (await t.db.select().from(jobEvents).where(eq(jobEvents.name, "email/requested"))).filter(
    (e) => (e.data as { partnerId?: string; template?: string }).partnerId === partnerId && (e.data as { template?: string }).template === "go_live_decided",
  );

describe("go live", () => {
  it("refuses live keys until an admin approves the request, with a clear message", async () => {
    const { partnerId, owner } = await partnerWithTeam();
    const api = await callerFor(owner.id);
    const refused = await api.partner.keys.create({ environment: "live", name: "prod" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("go-live request is approved") });
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe("live_access_required");
    // Sandbox keys are never held back.
    expect((await api.partner.keys.create({ environment: "sandbox" })).secret).toMatch(/^stlr_test_/);

    const request = await api.onboarding.goLive.request(details);
    // Waiting for review is not access either.
    await expect(api.partner.keys.create({ environment: "live" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const admin = await makeUser(t.db, { admin: true });
    await (await callerFor(admin.id)).admin.partners.decideGoLive({ requestId: request.id, decision: "approve", reason: "" });
    expect((await api.partner.keys.create({ environment: "live", name: "prod" })).secret).toMatch(/^stlr_live_/);
    expect((await listApiKeys(t.db, partnerId, "live")).length).toBe(1);
    expect(await api.onboarding.goLive.status()).toMatchObject({ live: true, latest: { id: request.id, status: "approved" } });
    expect(await decidedEmails(partnerId)).toHaveLength(1);
  });

  it("cannot be approved by a partner user (owner or developer), only by an admin", async () => {
    const { partnerId, owner, developer } = await partnerWithTeam();
    const request = await (await callerFor(owner.id)).onboarding.goLive.request(details);
    for (const who of [owner, developer]) {
      const api = await callerFor(who.id);
      await expect(api.admin.partners.decideGoLive({ requestId: request.id, decision: "approve", reason: "" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(api.admin.partners.goLiveRequests()).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(api.onboarding.admin.mailbox()).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const [row] = await t.db.select().from(goLiveRequests).where(eq(goLiveRequests.id, request.id));
    expect(row!.status).toBe("pending");
    const [p] = await t.db.select().from(partners).where(eq(partners.id, partnerId));
    expect(p!.onboardingState).toBe("kyc_pending");
    expect(await decidedEmails(partnerId)).toHaveLength(0);
    // The admin sees it waiting.
    const admin = await callerFor((await makeUser(t.db, { admin: true })).id);
    expect((await admin.admin.partners.goLiveRequests({ status: "pending" })).map((r) => r.request.id)).toContain(request.id);
  });

  it("only an owner with a verified email may request; one pending request at a time", async () => {
    const { owner, developer } = await partnerWithTeam();
    await expect((await callerFor(developer.id)).onboarding.goLive.request(details)).rejects.toMatchObject({ code: "FORBIDDEN" });

    const partnerId = await makePartner(t.db, "Unverified Co");
    const unverified = await makeUser(t.db, { partnerId, role: "owner" });
    const err = await (await callerFor(unverified.id)).onboarding.goLive.request(details).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("Verify your email") });
    expect(await t.db.select().from(goLiveRequests).where(eq(goLiveRequests.partnerId, partnerId))).toHaveLength(0);

    const api = await callerFor(owner.id);
    await api.onboarding.goLive.request(details);
    await expect(api.onboarding.goLive.request(details)).rejects.toMatchObject({ code: "CONFLICT" });
    // The form's schema is the procedure's: a bad field is refused with its name.
    const bad = await api.onboarding.goLive.request({ ...details, website: "acme", expectedMonthlyVolume: "1e6" }).catch((e: unknown) => e);
    const fields = ((bad as { cause?: { issues?: { path: string[] }[] } }).cause?.issues ?? []).map((i) => i.path[0]);
    expect(fields.sort()).toEqual(["expectedMonthlyVolume", "website"]);
  });

  it("a rejection needs a reason, is emailed, returns the partner to the sandbox and allows a new request", async () => {
    const { partnerId, owner } = await partnerWithTeam();
    const api = await callerFor(owner.id);
    const request = await api.onboarding.goLive.request(details);
    const admin = await callerFor((await makeUser(t.db, { admin: true })).id);
    await expect(admin.admin.partners.decideGoLive({ requestId: request.id, decision: "reject", reason: " " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await admin.admin.partners.decideGoLive({
      requestId: request.id,
      decision: "reject",
      reason: "The registration number does not match the website's company.",
    });
    await expect(admin.admin.partners.decideGoLive({ requestId: request.id, decision: "approve", reason: "" })).rejects.toMatchObject({ code: "CONFLICT" });
    const [email] = await decidedEmails(partnerId);
    expect(email!.data).toMatchObject({
      to: owner.email,
      params: { decision: "rejected", reason: "The registration number does not match the website's company." },
    });
    expect(await api.onboarding.goLive.status()).toMatchObject({ live: false, latest: { status: "rejected" } });
    await expect(api.partner.keys.create({ environment: "live" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await api.onboarding.goLive.request(details)).status).toBe("pending");
  });
});
