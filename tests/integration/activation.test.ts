import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as catalogRoute from "@/app/api/v1/catalog/route";
import * as ordersRoute from "@/app/api/v1/orders/route";
import { approveProducts } from "@/server/catalog/visibility";
import { partnerMilestones } from "@/server/db/schema";
import { createVerifyToken } from "@/server/email/verification";
import { verifyEmail } from "@/server/email/verify";
import { requestTopup } from "@/server/ledger";
import { MILESTONES, resetMilestoneMemo, settleMilestones } from "@/server/partners/activation";
import { approvePartnerTopup } from "@/server/partners/funding";
import { signUpPartner } from "@/server/partners/signup";
import { createEndpoint } from "@/server/webhooks/endpoints";
import { bindAppDatabase, call, flushRequestLog } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { sessionCaller } from "../support/callers";

// The partner's journey, step by step, through the paths a partner uses (signup, the link, the
// API, the dashboard's procedures, the admin's decision): each milestone appears when its step
// happens, in journey order, and the onboarding checklist and the admin funnel read them.

const SECRET = process.env.AUTH_SECRET!;
const HOOK_OPTS = { encryptionKey: `${"0".repeat(63)}1`, allowPrivateTargets: false };
let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(20);
  bindAppDatabase(t);
  resetMilestoneMemo();
  engine = await startOrderEngine(t);
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const callerFor = (userId: string) => sessionCaller(t.db, userId);
const reached = async (partnerId: string) =>
  (await t.db.select().from(partnerMilestones).where(eq(partnerMilestones.partnerId, partnerId)).orderBy(partnerMilestones.at)).map((m) => m.milestone);
let refSeq = 0;
const order = (key: string) =>
  call(ordersRoute.POST, "/api/v1/orders", { key, body: { sku: RANGED_USD, faceValue: "10.00", quantity: 1, referenceId: `act-${++refSeq}` } });

describe("activation milestones", () => {
  it("appear in order as the journey happens, each when its step happens", async () => {
    const email = "ada@journey.test";
    const signup = await signUpPartner(t.db, { companyName: "Journey Co", contactName: "Ada", email, password: "a-long-password", country: "GB" });
    const partnerId = signup.partner.id;
    expect(await reached(partnerId)).toEqual(["signed_up"]);

    await verifyEmail(t.db, SECRET, createVerifyToken(SECRET, signup.userId, email));
    expect(await reached(partnerId)).toEqual(["signed_up", "email_verified"]);

    const catalog = await call(catalogRoute.GET, "/api/v1/catalog", { key: signup.apiKey.secret });
    expect(catalog.status).toBe(200);
    await settleMilestones();
    expect(await reached(partnerId)).toEqual(["signed_up", "email_verified", "first_sandbox_api_call"]);

    expect((await order(signup.apiKey.secret)).status).toBe(202);
    expect((await reached(partnerId)).at(-1)).toBe("first_sandbox_order");

    await createEndpoint(t.db, { partnerId, environment: "sandbox", url: "https://hooks.example.com/journey", events: ["order.completed"] }, HOOK_OPTS);
    expect((await reached(partnerId)).at(-1)).toBe("first_webhook_endpoint");

    const owner = await callerFor(signup.userId);
    const request = await owner.onboarding.goLive.request({
      legalName: "Journey Company Ltd",
      registrationNumber: "GB-1234567",
      website: "https://journey.example.com",
      expectedMonthlyVolume: "25000",
      useCase: "Employee rewards: gift cards for our customers' staff programmes.",
    });
    expect((await reached(partnerId)).at(-1)).toBe("go_live_requested");

    const admin = await makeUser(t.db, { admin: true });
    await (await callerFor(admin.id)).admin.partners.decideGoLive({ requestId: request.id, decision: "approve", reason: "Documents checked" });
    expect((await reached(partnerId)).at(-1)).toBe("go_live_approved");

    const topup = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "500.00", requestedBy: signup.userId });
    await approvePartnerTopup(t.db, { requestId: topup.id, actor: admin.id });
    expect((await reached(partnerId)).at(-1)).toBe("first_live_funding");

    const product = await t.sql<{ id: string }[]>`select id from catalog_products where sku = ${RANGED_USD}`;
    await approveProducts(t.db, { partnerId, productIds: [product[0]!.id], markupBps: 0, actor: admin.id });
    const liveKey = await owner.partner.keys.create({ environment: "live", name: "production" });
    expect((await order(liveKey.secret)).status).toBe(202);

    // Every milestone, once, in journey order; the checklist says the same with the times.
    expect(await reached(partnerId)).toEqual([...MILESTONES]);
    const checklist = await owner.onboarding.checklist();
    expect(checklist.steps.map((s) => s.milestone)).toEqual([...MILESTONES]);
    expect(checklist.done).toBe(MILESTONES.length);
    const times = checklist.steps.map((s) => s.doneAt!.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // Repeating a step keeps the first time.
    const firstOrderAt = checklist.steps.find((s) => s.milestone === "first_sandbox_order")!.doneAt;
    expect((await order(signup.apiKey.secret)).status).toBe(202);
    const [again] = await t.db
      .select()
      .from(partnerMilestones)
      .where(and(eq(partnerMilestones.partnerId, partnerId), eq(partnerMilestones.milestone, "first_sandbox_order")));
    expect(again!.at).toEqual(firstOrderAt);

    // The admin funnel counts it; a partner user cannot read the funnel.
    const funnel = await (await callerFor(admin.id)).onboarding.admin.funnel({ from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) });
    for (const step of funnel.steps) {
      expect(step.reachedInPeriod, step.milestone).toBeGreaterThanOrEqual(1);
      expect(step.ofCohort, step.milestone).toBeGreaterThanOrEqual(1);
    }
    await expect(owner.onboarding.admin.funnel()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("hot paths write once per partner per process: later API calls and orders issue no milestone statement", async () => {
    const signup = await signUpPartner(t.db, {
      companyName: "Hot Path Co",
      contactName: "Hal",
      email: "hal@hot.test",
      password: "a-long-password",
      country: "US",
    });
    const key = signup.apiKey.secret;
    await call(catalogRoute.GET, "/api/v1/catalog", { key });
    expect((await order(key)).status).toBe(202);
    await settleMilestones();
    await flushRequestLog();
    expect(await reached(signup.partner.id)).toEqual(["signed_up", "first_sandbox_api_call", "first_sandbox_order"]);
    // Removed behind the process's back: were a request or an order to write again, the rows would return.
    await t.db.delete(partnerMilestones).where(eq(partnerMilestones.partnerId, signup.partner.id));
    for (let i = 0; i < 3; i++) {
      await call(catalogRoute.GET, "/api/v1/catalog", { key });
      expect((await order(key)).status).toBe(202);
    }
    await settleMilestones();
    expect(await reached(signup.partner.id)).toEqual([]);
  });
});
