import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as recoverRoute from "@/app/api/v1/webhook-endpoints/[id]/recover/route";
import * as deliveriesRoute from "@/app/api/v1/webhook-deliveries/route";
import { newId } from "@/lib/ids";
import { loadSessionUser, type MemberRole } from "@/server/auth/session-user";
import { auditLog, webhookDeliveries, webhookEvents } from "@/server/db/schema";
import { startEmbeddedWorker, type EmbeddedWorker } from "@/server/jobs/executor/worker";
import { deliverWebhook } from "@/server/jobs/functions/webhooks";
import { createCaller } from "@/server/trpc/root";
import type { Services } from "@/server/boot/services";
import { verifyWebhook, type WebhookRuntime } from "@/server/webhooks";
import { createApiKey } from "@/server/keys";
import { buildOpenApi } from "@/server/rest/openapi";
import { WEBHOOK_EVENT_CATALOG } from "@/server/webhooks/catalog";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/server/webhooks/types";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { TEST_KEY } from "../support/order-engine";
import { waitFor } from "../support/wait";
import { codeOf } from "../support/callers";

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let t: TestDatabase;
let worker: EmbeddedWorker;
let server: http.Server;
let url: string;
/** What the receiver answers now. */
let answer = 200;
const received: Received[] = [];
let partnerA: string;
let partnerB: string;
const usersA = {} as Record<MemberRole, string>;
let ownerB: string;

const env = "sandbox" as const;
// One attempt per delivery (no retries), so a failing receiver exhausts a delivery at once.
const BASE: Partial<WebhookRuntime> = { allowPrivateTargets: true, retryScheduleMs: [], timeoutMs: 2_000, disableAfterExhausted: 20 };
/** The test's services: the worker's, the route handlers' and the tRPC callers'. */
let services: Services;
const configure = (over: Partial<WebhookRuntime> = {}) => Object.assign(services.webhooks, BASE, over);

async function callerFor(userId: string) {
  return createCaller({ services, db: services.db, user: await loadSessionUser(t.db, userId), headers: new Headers() });
}

async function finished(deliveryId: string) {
  return waitFor(`delivery ${deliveryId} to finish`, async () => {
    const [d] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    return d && (d.status === "succeeded" || d.status === "exhausted") ? d : null;
  });
}

beforeAll(async () => {
  t = await createTestDatabase(20);
  services = bindAppDatabase(t, { encryptionKey: TEST_KEY, webhooks: BASE });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = answer;
      res.setHeader("x-receiver", "dashboard-test");
      res.end(answer === 200 ? "thanks" : "receiver broken");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  worker = await startEmbeddedWorker({ db: t.db, services: () => services, functions: [deliverWebhook], pollMs: 25, backoff: { baseMs: 50, maxMs: 400 } });
  partnerA = await makePartner(t.db, "Partner A");
  partnerB = await makePartner(t.db, "Partner B");
  for (const role of ["owner", "developer", "finance"] as const) usersA[role] = (await makeUser(t.db, { partnerId: partnerA, role })).id;
  ownerB = (await makeUser(t.db, { partnerId: partnerB, role: "owner" })).id;
});
afterAll(async () => {
  await worker?.stop();
  await new Promise<void>((r) => server?.close(() => r()));
  await t?.close();
});
beforeEach(() => {
  answer = 200;
  configure();
});

async function newEndpoint(userId = usersA.developer, events = ["*"]) {
  const api = await callerFor(userId);
  return api.webhooks.create({ environment: env, url, description: "test receiver", events, enabled: true });
}

describe("webhooks portal: roles", () => {
  it("lets owners and developers manage endpoints; finance gets FORBIDDEN everywhere", async () => {
    const { endpoint, secret } = await newEndpoint(usersA.developer, ["order.completed", "order.failed"]);
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ url, description: "test receiver", events: ["order.completed", "order.failed"], status: "active" });
    const owner = await callerFor(usersA.owner);
    expect((await owner.webhooks.list({ environment: env })).map((e) => e.id)).toContain(endpoint.id);
    // the secret is in the create answer only
    expect(JSON.stringify(await owner.webhooks.get({ environment: env, endpointId: endpoint.id }))).not.toContain(secret.slice(6));

    const finance = await callerFor(usersA.finance);
    const ref = { environment: env, endpointId: endpoint.id };
    for (const p of [
      finance.webhooks.list({ environment: env }),
      finance.webhooks.get(ref),
      finance.webhooks.create({ environment: env, url, description: "", events: ["*"], enabled: true }),
      finance.webhooks.update({ ...ref, enabled: false }),
      finance.webhooks.rotateSecret(ref),
      finance.webhooks.sendTest(ref),
      finance.webhooks.deliveries(ref),
      finance.webhooks.successRate({ ...ref, days: 7 }),
      finance.webhooks.recover({ ...ref, since: new Date(Date.now() - 3600_000) }),
      finance.webhooks.delete(ref),
    ]) {
      expect(await codeOf(p)).toBe("FORBIDDEN");
    }
    // creation is audited with the user
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "webhook_endpoint.created"), eq(auditLog.targetId, endpoint.id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorUserId).toBe(usersA.developer);
  });

  it("validates the URL like the API (no credentials; private targets only when allowed)", async () => {
    const api = await callerFor(usersA.developer);
    configure({ allowPrivateTargets: false });
    await expect(api.webhooks.create({ environment: env, url, description: "", events: ["*"], enabled: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("private, loopback or reserved"),
    });
    await expect(
      api.webhooks.create({ environment: env, url: "https://user:pw@hooks.example.com/x", description: "", events: ["*"], enabled: true }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.webhooks.create({ environment: env, url, description: "", events: ["nope.event"], enabled: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("webhooks portal: tenant isolation", () => {
  it("answers NOT_FOUND to partner B for partner A's endpoint and delivery ids", async () => {
    const { endpoint } = await newEndpoint();
    const a = await callerFor(usersA.developer);
    const { deliveryId } = await a.webhooks.sendTest({ environment: env, endpointId: endpoint.id });
    await finished(deliveryId);
    const b = await callerFor(ownerB);
    const ref = { environment: env, endpointId: endpoint.id };
    const dref = { environment: env, deliveryId };
    const results = {
      get: await codeOf(b.webhooks.get(ref)),
      update: await codeOf(b.webhooks.update({ ...ref, description: "mine now" })),
      rotateSecret: await codeOf(b.webhooks.rotateSecret(ref)),
      sendTest: await codeOf(b.webhooks.sendTest(ref)),
      deliveries: await codeOf(b.webhooks.deliveries(ref)),
      successRate: await codeOf(b.webhooks.successRate({ ...ref, days: 7 })),
      recoverPreview: await codeOf(b.webhooks.recoverPreview({ ...ref, since: new Date(Date.now() - 3600_000) })),
      recover: await codeOf(b.webhooks.recover({ ...ref, since: new Date(Date.now() - 3600_000) })),
      delivery: await codeOf(b.webhooks.delivery(dref)),
      replay: await codeOf(b.webhooks.replay(dref)),
      delete: await codeOf(b.webhooks.delete(ref)),
    };
    expect(Object.values(results).every((c) => c === "NOT_FOUND")).toBe(true);
    expect((await b.webhooks.list({ environment: env })).map((e) => e.id)).not.toContain(endpoint.id);
    // nor in A's own live environment
    expect(await codeOf(a.webhooks.get({ environment: "live", endpointId: endpoint.id }))).toBe("NOT_FOUND");
    expect(await codeOf(a.webhooks.delivery({ environment: "live", deliveryId }))).toBe("NOT_FOUND");
    // untouched
    expect(await a.webhooks.get(ref)).toMatchObject({ description: "test receiver", status: "active" });
  });
});

describe("webhooks portal: deliveries", () => {
  it("sends a test event and shows the delivery with the request headers, the body sent and the receiver's answer", async () => {
    const { endpoint, secret } = await newEndpoint();
    const api = await callerFor(usersA.developer);
    const { eventId, deliveryId } = await api.webhooks.sendTest({ environment: env, endpointId: endpoint.id });
    await finished(deliveryId);
    const list = await api.webhooks.deliveries({ environment: env, endpointId: endpoint.id });
    expect(list.data.map((d) => d.id)).toEqual([deliveryId]);
    expect(list.data[0]).toMatchObject({ status: "succeeded", lastResponseStatusCode: 200, eventType: "webhook.test", attempts: 1 });

    const detail = await api.webhooks.delivery({ environment: env, deliveryId });
    const got = received.find((r) => r.headers["webhook-id"] === eventId)!;
    expect(detail.body).toBe(got.body);
    expect(detail.url).toBe(url);
    const [attempt] = detail.attemptLog;
    expect(attempt).toMatchObject({ attempt: 1, statusCode: 200, responseBody: "thanks", error: null });
    expect(attempt!.requestHeaders).toEqual({
      "webhook-id": eventId,
      "webhook-timestamp": got.headers["webhook-timestamp"],
      "webhook-signature": got.headers["webhook-signature"],
    });
    expect(attempt!.responseHeaders).toMatchObject({ "x-receiver": "dashboard-test" });
    // the body has the catalog's shape for its type (the docs and OpenAPI show that example)
    const example = WEBHOOK_EVENT_CATALOG.find((e) => e.type === "webhook.test")!.example;
    expect(Object.keys(JSON.parse(detail.body).data).sort()).toEqual(Object.keys(example).sort());
    // the headers shown verify against the body shown
    expect(verifyWebhook(secret, attempt!.requestHeaders!, detail.body)).toMatchObject({ type: "webhook.test" });
  });

  it("filters the endpoint's deliveries by status and event type and pages by cursor", async () => {
    const { endpoint } = await newEndpoint();
    const api = await callerFor(usersA.developer);
    const ref = { environment: env, endpointId: endpoint.id };
    const ok1 = (await api.webhooks.sendTest(ref)).deliveryId;
    await finished(ok1);
    answer = 500;
    const bad = (await api.webhooks.sendTest(ref)).deliveryId;
    await finished(bad);
    answer = 200;
    const ok2 = (await api.webhooks.sendTest(ref)).deliveryId;
    await finished(ok2);
    expect((await api.webhooks.deliveries({ ...ref, status: "exhausted" })).data.map((d) => d.id)).toEqual([bad]);
    expect((await api.webhooks.deliveries({ ...ref, status: "succeeded" })).data.map((d) => d.id)).toEqual([ok2, ok1]);
    expect((await api.webhooks.deliveries({ ...ref, eventType: "webhook.test" })).data).toHaveLength(3);
    expect((await api.webhooks.deliveries({ ...ref, eventType: "order.completed" })).data).toHaveLength(0);
    const p1 = await api.webhooks.deliveries({ ...ref, limit: 2 });
    expect(p1.data.map((d) => d.id)).toEqual([ok2, bad]);
    const p2 = await api.webhooks.deliveries({ ...ref, limit: 2, after: p1.nextCursor! });
    expect(p2.data.map((d) => d.id)).toEqual([ok1]);
    expect(p2.nextCursor).toBeNull();
    // the failed attempt shows the receiver's answer
    const failed = await api.webhooks.delivery({ environment: env, deliveryId: bad });
    expect(failed.attemptLog[0]).toMatchObject({ statusCode: 500, responseBody: "receiver broken", error: "HTTP 500" });
  });

  it("recovers exactly the failed deliveries since the time, once: pressing twice sends nothing twice", async () => {
    const { endpoint } = await newEndpoint();
    const api = await callerFor(usersA.developer);
    const ref = { environment: env, endpointId: endpoint.id };
    const send = async () => {
      const r = await api.webhooks.sendTest(ref);
      await finished(r.deliveryId);
      return r;
    };
    answer = 500;
    const old = await send(); // failed, but before the time asked
    const failedA = await send();
    const failedB = await send();
    answer = 200;
    const ok = await send(); // succeeded: not re-sent
    answer = 500;
    const replayedOk = await send(); // failed, then replayed by hand successfully: not re-sent
    answer = 200;
    const manual = await api.webhooks.replay({ environment: env, deliveryId: replayedOk.deliveryId });
    await finished(manual.id);
    const since = new Date(Date.now() - 3600_000);
    await t.db
      .update(webhookDeliveries)
      .set({ createdAt: new Date(Date.now() - 2 * 3600_000) })
      .where(eq(webhookDeliveries.id, old.deliveryId));

    const preview = await api.webhooks.recoverPreview({ ...ref, since });
    expect(preview).toMatchObject({ count: 2, hasMore: false });
    const before = received.length;
    const first = await api.webhooks.recover({ ...ref, since });
    expect(first.count).toBe(2);
    // pressed again while the re-sends are queued: nothing more
    const second = await api.webhooks.recover({ ...ref, since });
    expect(second).toMatchObject({ count: 0, deliveryIds: [] });
    const replays = await t.db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.id, first.deliveryIds));
    expect(replays.map((d) => d.replayOf).sort()).toEqual([failedA.deliveryId, failedB.deliveryId].sort());
    expect(replays.map((d) => d.eventId).sort()).toEqual([failedA.eventId, failedB.eventId].sort());
    for (const id of first.deliveryIds) expect((await finished(id)).status).toBe("succeeded");
    // and after they succeeded: still nothing to recover
    expect((await api.webhooks.recover({ ...ref, since })).count).toBe(0);
    const resent = received.slice(before).map((r) => r.headers["webhook-id"]);
    expect(resent.sort()).toEqual([failedA.eventId, failedB.eventId].sort());
    expect(resent).not.toContain(old.eventId);
    expect(resent).not.toContain(ok.eventId);
    // a wider window takes the older failure too
    expect((await api.webhooks.recoverPreview({ ...ref, since: new Date(Date.now() - 3 * 3600_000) })).count).toBe(1);
    // the time must be in the past, within 30 days
    await expect(api.webhooks.recover({ ...ref, since: new Date(Date.now() + 60_000) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.webhooks.recover({ ...ref, since: new Date(Date.now() - 31 * 24 * 3600_000) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "webhook_endpoint.recovered"), eq(auditLog.targetId, endpoint.id)));
    expect(audit.map((a) => (a.metadata as { recovered: number }).recovered)).toEqual([2, 0, 0]);
  }, 30_000);

  it("computes the success rate per day in SQL from the endpoint's deliveries", async () => {
    const { endpoint } = await newEndpoint();
    const api = await callerFor(usersA.developer);
    const dayStart = (daysAgo: number) => {
      const d = new Date();
      d.setUTCHours(0, 0, 0, 0);
      return new Date(d.getTime() - daysAgo * 24 * 3600_000 + 3600_000); // 01:00 UTC that day
    };
    const seed = async (daysAgo: number, statuses: ("succeeded" | "failed" | "exhausted" | "pending")[]) => {
      for (const status of statuses) {
        const eventId = newId("msg");
        await t.db.insert(webhookEvents).values({ id: eventId, partnerId: partnerA, environment: env, type: "order.completed", payload: {} });
        await t.db.insert(webhookDeliveries).values({
          id: newId("whd"),
          eventId,
          endpointId: endpoint.id,
          partnerId: partnerA,
          environment: env,
          status,
          createdAt: dayStart(daysAgo),
        });
      }
    };
    await seed(0, ["succeeded", "succeeded", "succeeded", "exhausted"]);
    await seed(2, ["succeeded", "failed", "pending"]);
    await seed(5, ["pending"]);
    await seed(6, ["exhausted"]);
    await seed(8, ["succeeded"]); // outside 7 days
    const week = await api.webhooks.successRate({ environment: env, endpointId: endpoint.id, days: 7 });
    expect(week).toHaveLength(7);
    const byAge = (daysAgo: number) => week[6 - daysAgo]!;
    expect(byAge(0)).toMatchObject({ total: 4, succeeded: 3, failed: 1, pending: 0, rate: 75 });
    expect(byAge(2)).toMatchObject({ total: 3, succeeded: 1, failed: 1, pending: 1, rate: 50 });
    expect(byAge(5)).toMatchObject({ total: 1, pending: 1, rate: null });
    expect(byAge(6)).toMatchObject({ total: 1, failed: 1, rate: 0 });
    expect(byAge(1)).toMatchObject({ total: 0, rate: null });
    expect(byAge(0).day).toBe(new Date().toISOString().slice(0, 10));
    const month = await api.webhooks.successRate({ environment: env, endpointId: endpoint.id, days: 30 });
    expect(month).toHaveLength(30);
    expect(month.reduce((n, d) => n + d.total, 0)).toBe(10);
  });

  it("shows an endpoint we disabled with its reason, and re-enables it with a fresh start", async () => {
    configure({ disableAfterExhausted: 2 });
    const { endpoint } = await newEndpoint();
    const api = await callerFor(usersA.developer);
    const ref = { environment: env, endpointId: endpoint.id };
    answer = 500;
    await finished((await api.webhooks.sendTest(ref)).deliveryId);
    await finished((await api.webhooks.sendTest(ref)).deliveryId);
    const disabled = await api.webhooks.get(ref);
    expect(disabled).toMatchObject({ status: "disabled", enabled: false, disabledReason: "2 deliveries in a row failed every attempt" });
    expect(await codeOf(api.webhooks.sendTest(ref))).toBe("CONFLICT");
    expect(await codeOf(api.webhooks.recover({ ...ref, since: new Date(Date.now() - 3600_000) }))).toBe("CONFLICT");
    // the confirm dialog's count works on a disabled endpoint (the banner offers re-enable first)
    expect((await api.webhooks.recoverPreview({ ...ref, since: new Date(Date.now() - 3600_000) })).count).toBe(2);

    answer = 200;
    const enabled = await api.webhooks.update({ ...ref, enabled: true });
    expect(enabled).toMatchObject({ status: "active", enabled: true, disabledAt: null, disabledReason: null });
    expect((await api.webhooks.recover({ ...ref, since: new Date(Date.now() - 3600_000) })).count).toBe(2);
    const test = await api.webhooks.sendTest(ref);
    expect((await finished(test.deliveryId)).status).toBe("succeeded");
  });

  it("rotates the secret (shown once; the old one keeps signing for 24 h) and deletes the endpoint", async () => {
    const { endpoint, secret } = await newEndpoint();
    const api = await callerFor(usersA.owner);
    const ref = { environment: env, endpointId: endpoint.id };
    const rotated = await api.webhooks.rotateSecret(ref);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const { eventId, deliveryId } = await api.webhooks.sendTest(ref);
    await finished(deliveryId);
    const got = received.find((r) => r.headers["webhook-id"] === eventId)!;
    expect(verifyWebhook(secret, got.headers as Record<string, string>, got.body)).toBeTruthy();
    expect(verifyWebhook(rotated.secret, got.headers as Record<string, string>, got.body)).toBeTruthy();
    await api.webhooks.delete(ref);
    expect(await codeOf(api.webhooks.get(ref))).toBe("NOT_FOUND");
    // the delivery log stays readable
    expect((await api.webhooks.delivery({ environment: env, deliveryId })).status).toBe("succeeded");
  });
});

describe("POST /api/v1/webhook-endpoints/{id}/recover", () => {
  it("re-sends the failed deliveries since the time once (202 with the count), 404 for another partner's key, 400 for a bad time", async () => {
    const keyA = (await createApiKey(t.db, { partnerId: partnerA, environment: env, actor: "test" })).secret;
    const keyB = (await createApiKey(t.db, { partnerId: partnerB, environment: env, actor: "test" })).secret;
    const { endpoint } = await newEndpoint();
    const api = await callerFor(usersA.developer);
    answer = 500;
    const failed = await api.webhooks.sendTest({ environment: env, endpointId: endpoint.id });
    await finished(failed.deliveryId);
    answer = 200;
    const path = `/api/v1/webhook-endpoints/${endpoint.id}/recover`;
    const since = new Date(Date.now() - 600_000).toISOString();
    const recover = (key: string, body: unknown) => call(recoverRoute.POST, path, { key, body, params: { id: endpoint.id } });

    const first = await recover(keyA, { since });
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ recovered: 1, deliveryIds: [expect.stringMatching(/^whd_/)], hasMore: false });
    const again = await recover(keyA, { since });
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ recovered: 0, deliveryIds: [], hasMore: false });
    const replay = await finished(first.json.deliveryIds[0]);
    expect(replay).toMatchObject({ status: "succeeded", replayOf: failed.deliveryId, eventId: failed.eventId });
    // the same log the dashboard shows
    const log = await call(deliveriesRoute.GET, "/api/v1/webhook-deliveries", { key: keyA, query: { endpointId: endpoint.id, eventType: "webhook.test" } });
    expect(log.json.data.map((d: { id: string }) => d.id)).toEqual([replay.id, failed.deliveryId]);

    const asB = await recover(keyB, { since });
    expect(asB.status).toBe(404);
    expect(asB.json.error.code).toBe("resource_not_found");
    const future = await recover(keyA, { since: new Date(Date.now() + 600_000).toISOString() });
    expect(future.status).toBe(400);
    expect(future.json.error).toMatchObject({ code: "invalid_parameter", param: "since" });
    expect((await recover(keyA, { since: "yesterday" })).status).toBe(400);
  });

  it("is in the OpenAPI document, and the document's webhooks are the event catalog with an example body each", () => {
    const doc = buildOpenApi() as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
      webhooks: Record<string, any>;
    };
    const op = doc.paths["/api/v1/webhook-endpoints/{id}/recover"]?.post;
    expect(op?.responses).toHaveProperty("202");
    expect(op?.responses).toHaveProperty("404");
    expect(JSON.stringify(op?.requestBody)).toContain("since");
    expect(Object.keys(doc.webhooks).sort()).toEqual(WEBHOOK_EVENT_CATALOG.map((e) => e.type).sort());
    for (const e of WEBHOOK_EVENT_CATALOG) {
      expect(doc.webhooks[e.type].post.requestBody.content["application/json"].example).toMatchObject({ type: e.type, data: e.example });
    }
    // every type an endpoint may subscribe to has an entry
    expect(WEBHOOK_EVENT_CATALOG.filter((e) => e.subscribable).map((e) => e.type)).toEqual([...SUBSCRIBABLE_EVENT_TYPES]);
  });
});
