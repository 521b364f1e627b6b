import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as deliveryRoute from "@/app/api/v1/webhook-deliveries/[id]/route";
import * as replayRoute from "@/app/api/v1/webhook-deliveries/[id]/replay/route";
import * as deliveriesRoute from "@/app/api/v1/webhook-deliveries/route";
import * as endpointRoute from "@/app/api/v1/webhook-endpoints/[id]/route";
import * as rotateRoute from "@/app/api/v1/webhook-endpoints/[id]/rotate-secret/route";
import * as testRoute from "@/app/api/v1/webhook-endpoints/[id]/test/route";
import * as endpointsRoute from "@/app/api/v1/webhook-endpoints/route";
import { startEmbeddedWorker, type EmbeddedWorker } from "@/server/jobs/executor/worker";
import { deliverWebhook } from "@/server/jobs/functions/webhooks";
import { createApiKey } from "@/server/keys";
import type { Services } from "@/server/boot/services";
import { verifyWebhook } from "@/server/webhooks";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";
import { TEST_KEY } from "../support/order-engine";
import { waitFor } from "../support/wait";

let t: TestDatabase;
let worker: EmbeddedWorker;
let server: http.Server;
let port: number;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let a: { partnerId: string; sandbox: string; live: string };
let b: { partnerId: string; sandbox: string; live: string };

async function partnerWithKeys(name: string) {
  const partnerId = await makePartner(t.db, name);
  const sandbox = (await createApiKey(t.db, { partnerId, environment: "sandbox", actor: "test" })).secret;
  const live = (await createApiKey(t.db, { partnerId, environment: "live", actor: "test" })).secret;
  return { partnerId, sandbox, live };
}

// Test endpoints on example.com never leave the machine, even where DNS would resolve them.
const resolve = async (host: string) => {
  if (host.endsWith("example.com")) throw Object.assign(new Error(`no such host ${host}`), { code: "ENOTFOUND" });
  return dns.promises.lookup(host, { all: true, verbatim: true });
};
/** The test's services (the route handlers' and the worker's): private targets allowed or not for the next calls. */
let services: Services;
const allowPrivate = (allow: boolean) => Object.assign(services.webhooks, { allowPrivateTargets: allow });

beforeAll(async () => {
  process.env.STELLER_REQUEST_LOG = "off";
  t = await createTestDatabase(20);
  services = bindAppDatabase(t, { encryptionKey: TEST_KEY, webhooks: { allowPrivateTargets: false, retryScheduleMs: [1_000], timeoutMs: 2_000, resolve } });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  allowPrivate(false);
  worker = await startEmbeddedWorker({ db: t.db, services: () => services, functions: [deliverWebhook], pollMs: 25, backoff: { baseMs: 50, maxMs: 400 } });
  a = await partnerWithKeys("Partner A");
  b = await partnerWithKeys("Partner B");
});
afterAll(async () => {
  await worker?.stop();
  await new Promise<void>((r) => server?.close(() => r()));
  await t?.close();
});
beforeEach(() => allowPrivate(false));

const endpointsPath = "/api/v1/webhook-endpoints";

async function createVia(key: string, body: unknown) {
  return call(endpointsRoute.POST, endpointsPath, { key, body });
}

describe("webhook endpoints over the REST API", () => {
  it("creates an endpoint with a secret shown once, sends a signed test event, logs the delivery and replays it with the same webhook-id", async () => {
    allowPrivate(true);
    const created = await createVia(a.sandbox, { url: `http://127.0.0.1:${port}/hooks`, events: ["order.completed", "order.failed"] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^whk_/),
      environment: "sandbox",
      status: "active",
      events: ["order.completed", "order.failed"],
    });
    expect(created.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const id = created.json.id as string;

    const list = await call(endpointsRoute.GET, endpointsPath, { key: a.sandbox });
    expect(list.status).toBe(200);
    expect(list.json.data.map((e: { id: string }) => e.id)).toEqual([id]);
    expect(list.text).not.toContain(created.json.secret.slice(6));
    expect(list.text).not.toContain("secretEncrypted");

    const test = await call(testRoute.POST, `${endpointsPath}/${id}/test`, { key: a.sandbox, params: { id }, method: "POST" });
    expect(test.status).toBe(202);
    const got = await waitFor("the test event", async () => received.find((r) => r.headers["webhook-id"] === test.json.eventId));
    expect(verifyWebhook(created.json.secret, got.headers as Record<string, string>, got.body)).toMatchObject({
      type: "webhook.test",
      data: { endpointId: id },
    });

    const delivery = await waitFor("the delivery to succeed", async () => {
      const r = await call(deliveriesRoute.GET, "/api/v1/webhook-deliveries", { key: a.sandbox, query: { endpointId: id } });
      return r.json.data[0]?.status === "succeeded" ? r.json.data[0] : null;
    });
    expect(delivery).toMatchObject({
      id: test.json.deliveryId,
      eventId: test.json.eventId,
      eventType: "webhook.test",
      attempts: 1,
      lastResponseStatusCode: 200,
    });
    const detail = await call(deliveryRoute.GET, `/api/v1/webhook-deliveries/${delivery.id}`, { key: a.sandbox, params: { id: delivery.id } });
    expect(detail.json.attemptLog).toEqual([{ attempt: 1, statusCode: 200, durationMs: expect.any(Number), error: null, at: expect.any(String) }]);

    const replay = await call(replayRoute.POST, `/api/v1/webhook-deliveries/${delivery.id}/replay`, {
      key: a.sandbox,
      params: { id: delivery.id },
      method: "POST",
    });
    expect(replay.status).toBe(202);
    expect(replay.json).toMatchObject({ eventId: test.json.eventId, replayOf: delivery.id, status: "pending" });
    await waitFor("the replayed event", async () => received.filter((r) => r.headers["webhook-id"] === test.json.eventId).length === 2 || null);

    const rotated = await call(rotateRoute.POST, `${endpointsPath}/${id}/rotate-secret`, { key: a.sandbox, params: { id }, method: "POST" });
    expect(rotated.status).toBe(201);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(created.json.secret);
    expect(rotated.json.previousSecretExpiresAt).toEqual(expect.any(String));

    const patched = await call(endpointRoute.PATCH, `${endpointsPath}/${id}`, { key: a.sandbox, params: { id }, method: "PATCH", body: { enabled: false } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ enabled: false, status: "paused" });
    const deleted = await call(endpointRoute.DELETE, `${endpointsPath}/${id}`, { key: a.sandbox, params: { id }, method: "DELETE" });
    expect(deleted.json).toEqual({ id, deleted: true });
    expect((await call(endpointRoute.GET, `${endpointsPath}/${id}`, { key: a.sandbox, params: { id } })).status).toBe(404);
  });

  it("refuses private, loopback and metadata URLs with 422 invalid_url and a clear message", async () => {
    for (const url of ["http://127.0.0.1/hook", "http://10.0.0.1/", "http://169.254.169.254/", "http://[::1]/"]) {
      const r = await createVia(a.sandbox, { url, events: ["*"] });
      expect(r.status, url).toBe(422);
      expect(r.json.error).toMatchObject({ type: "invalid_request_error", code: "invalid_url", param: "url" });
      expect(r.json.error.message).toMatch(/private, loopback or reserved address/);
    }
    const creds = await createVia(a.sandbox, { url: "https://u:p@hooks.example.com/", events: ["*"] });
    expect(creds.json.error.message).toMatch(/credentials/);
  });

  it("validates bodies and ids with 400 and a field-level message", async () => {
    const badEvent = await createVia(a.sandbox, { url: "https://hooks.example.com/", events: ["order.shipped"] });
    expect(badEvent.status).toBe(400);
    expect(badEvent.json.error.param).toBe("events.0");
    const unknownField = await createVia(a.sandbox, { url: "https://hooks.example.com/", secret: "mine" });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json.error.message).toMatch(/Unknown field: secret/);
    const created = await createVia(a.sandbox, { url: "https://hooks.example.com/" });
    expect(created.json.events).toEqual(["*"]);
    const empty = await call(endpointRoute.PATCH, `${endpointsPath}/${created.json.id}`, {
      key: a.sandbox,
      params: { id: created.json.id },
      method: "PATCH",
      body: {},
    });
    expect(empty.status).toBe(400);
    const badId = await call(endpointRoute.GET, `${endpointsPath}/ord_1`, { key: a.sandbox, params: { id: "ord_1" } });
    expect(badId.status).toBe(400);
    expect(badId.json.error.param).toBe("id");
  });
});

describe("tenant isolation over the REST API", () => {
  it("answers 404 to partner B for every operation on partner A's endpoint and delivery, exactly as for an id that does not exist", async () => {
    const created = await createVia(a.sandbox, { url: "https://hooks.example.com/a", events: ["*"] });
    const id = created.json.id as string;
    const test = await call(testRoute.POST, `${endpointsPath}/${id}/test`, { key: a.sandbox, params: { id }, method: "POST" });
    const deliveryId = test.json.deliveryId as string;
    const ghostEndpoint = "whk_00000000000000000000000000";
    const ghostDelivery = "whd_00000000000000000000000000";

    const attempts = (endpoint: string, delivery: string) => [
      call(endpointRoute.GET, `${endpointsPath}/${endpoint}`, { key: b.sandbox, params: { id: endpoint } }),
      call(endpointRoute.PATCH, `${endpointsPath}/${endpoint}`, { key: b.sandbox, params: { id: endpoint }, method: "PATCH", body: { enabled: false } }),
      call(endpointRoute.DELETE, `${endpointsPath}/${endpoint}`, { key: b.sandbox, params: { id: endpoint }, method: "DELETE" }),
      call(rotateRoute.POST, `${endpointsPath}/${endpoint}/rotate-secret`, { key: b.sandbox, params: { id: endpoint }, method: "POST" }),
      call(testRoute.POST, `${endpointsPath}/${endpoint}/test`, { key: b.sandbox, params: { id: endpoint }, method: "POST" }),
      call(deliveryRoute.GET, `/api/v1/webhook-deliveries/${delivery}`, { key: b.sandbox, params: { id: delivery } }),
      call(replayRoute.POST, `/api/v1/webhook-deliveries/${delivery}/replay`, { key: b.sandbox, params: { id: delivery }, method: "POST" }),
    ];
    const foreign = await Promise.all(attempts(id, deliveryId));
    const ghost = await Promise.all(attempts(ghostEndpoint, ghostDelivery));
    foreign.forEach((r, i) => {
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe("resource_not_found");
      const strip = (m: string) => m.replace(/"[^"]+"/, '"…"');
      expect(strip(r.json.error.message)).toBe(strip(ghost[i]!.json.error.message));
      expect(ghost[i]!.status).toBe(404);
    });
    const bList = await call(endpointsRoute.GET, endpointsPath, { key: b.sandbox });
    expect(bList.json.data).toEqual([]);
    const bDeliveries = await call(deliveriesRoute.GET, "/api/v1/webhook-deliveries", { key: b.sandbox, query: { endpointId: id } });
    expect(bDeliveries.json).toEqual({ data: [], hasMore: false, nextCursor: null });
    // A's endpoint is untouched.
    const mine = await call(endpointRoute.GET, `${endpointsPath}/${id}`, { key: a.sandbox, params: { id } });
    expect(mine.json).toMatchObject({ id, status: "active" });
  });

  it("keeps sandbox and live endpoints apart: a sandbox key neither sees nor changes a live endpoint", async () => {
    const live = await createVia(a.live, { url: "https://hooks.example.com/live", events: ["order.completed"] });
    expect(live.json.environment).toBe("live");
    const sandboxList = await call(endpointsRoute.GET, endpointsPath, { key: a.sandbox });
    expect(sandboxList.json.data.map((e: { id: string }) => e.id)).not.toContain(live.json.id);
    const patch = await call(endpointRoute.PATCH, `${endpointsPath}/${live.json.id}`, {
      key: a.sandbox,
      params: { id: live.json.id },
      method: "PATCH",
      body: { enabled: false },
    });
    expect(patch.status).toBe(404);
    const liveList = await call(endpointsRoute.GET, endpointsPath, { key: a.live });
    expect(liveList.json.data.map((e: { id: string }) => e.id)).toEqual([live.json.id]);
  });
});
