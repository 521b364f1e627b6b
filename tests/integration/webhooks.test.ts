import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emails, lowBalanceAlerts, orders, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/server/db/schema";
import { orderEngineFunctions } from "@/server/jobs/functions/orders";
import { batchOf, placementRequestId } from "@/server/orders/batch";
import { sendEmailFunction } from "@/server/jobs/functions/email";
import { deliverWebhook, orderWebhookEvents } from "@/server/jobs/functions/webhooks";
import { approveTopup, requestTopup } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { setWalletLowBalanceThreshold } from "@/server/webhooks/sources";
import { mockCard } from "@/server/supplier/mock";
import {
  checkLowBalance,
  checkLowBalances,
  createEndpoint,
  deleteEndpoint,
  emitPartnerEvent,
  emitPartnerEvents,
  emitTopupApproved,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  postWebhook,
  replayDelivery,
  rotateSecret,
  sendTestEvent,
  setLowBalanceThreshold,
  updateEndpoint,
  verifyWebhook,
  WebhookError,
  type WebhookRuntime,
} from "@/server/webhooks";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A real HTTP receiver on 127.0.0.1 answering with `statuses` in turn (the last one repeats). */
async function startReceiver(statuses: number[] = [200]) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let t: TestDatabase;
let engine: OrderEngine;
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];
async function receiver(statuses?: number[]) {
  const r = await startReceiver(statuses);
  receivers.push(r);
  return r;
}

// Test endpoints on example.com never leave the machine, even where DNS would resolve them.
const resolve = async (host: string) => {
  if (host.endsWith("example.com")) throw Object.assign(new Error(`no such host ${host}`), { code: "ENOTFOUND" });
  return dns.promises.lookup(host, { all: true, verbatim: true });
};
const BASE: Partial<WebhookRuntime> = { allowPrivateTargets: true, retryScheduleMs: [1_000, 1_000, 1_000], timeoutMs: 2_000, resolve };
let webhookDefaults: WebhookRuntime;
/** The webhook sender of the engine's services (the test's own object) as BASE, with `over`, for this test. */
const configure = (over: Partial<WebhookRuntime> = {}) => Object.assign(engine.services.webhooks, webhookDefaults, BASE, over);
/** What the endpoint functions take from the sender's settings (encryption key, private targets). */
const hooks = () => engine.services.webhooks;

beforeAll(async () => {
  t = await createTestDatabase(20);
  engine = await startOrderEngine(t, {
    functions: [...orderEngineFunctions, deliverWebhook, orderWebhookEvents, sendEmailFunction],
    services: { webhooks: BASE, email: { secret: "x".repeat(32), appUrl: "http://app.test", smtpUrl: undefined, from: "Steller <no-reply@app.test>" } },
  });
  webhookDefaults = { ...engine.services.webhooks };
});
afterAll(async () => {
  await engine?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await t?.close();
});
beforeEach(() => configure());

const scopeOf = (partnerId: string) => ({ partnerId, environment: "sandbox" as const });

async function finished(deliveryId: string, timeoutMs = 20_000) {
  return waitFor(
    `delivery ${deliveryId} to finish`,
    async () => {
      const [d] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      return d && (d.status === "succeeded" || d.status === "exhausted") ? d : null;
    },
    timeoutMs,
  );
}

/** The partner's emails once the email-send function has put them in the mailbox. */
const mailFor = (partnerId: string) =>
  waitFor(`email to partner ${partnerId}`, async () => {
    const rows = await t.db.select().from(emails).where(eq(emails.partnerId, partnerId));
    return rows.length ? rows : null;
  });

let refSeq = 0;
const orderInput = (partnerId: string, faceValue = "25.00") => ({
  partnerId,
  environment: "sandbox" as const,
  sku: RANGED_USD,
  faceValue,
  quantity: 1,
  referenceId: `wh-${++refSeq}`,
  actor: "test",
});

describe("webhook delivery", () => {
  it("delivers a signed order.completed to a real receiver after an order completes, with a thin payload", async () => {
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver();
    const failedOnly = await receiver();
    const { secret } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["order.completed"] }, hooks());
    await createEndpoint(t.db, { ...scopeOf(partnerId), url: failedOnly.url, events: ["order.failed"] }, hooks());
    const started = Date.now();
    const { order } = await createOrder(t.db, orderInput(partnerId));
    const got = await waitFor("the order.completed webhook", async () => hook.received[0], 20_000);
    const [done] = await t.db.select().from(orders).where(eq(orders.id, order.id));
    console.log(
      `[webhooks] order created → signed webhook received: ${got.at - started} ms (order finished ${done!.finishedAt!.getTime() - started} ms after creation)`,
    );
    const payload = verifyWebhook(secret, got.headers as Record<string, string>, got.body) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(got.headers["webhook-id"]).toMatch(/^msg_/);
    expect(payload.type).toBe("order.completed");
    expect(payload.data).toEqual({
      orderId: order.id,
      status: "completed",
      referenceId: order.referenceId,
      sku: RANGED_USD,
      quantity: 1,
      cardsDelivered: 1,
      totalPrice: order.totalPrice,
      refundedAmount: "0.0000",
      currency: order.currency,
    });
    const [card] = await t.sql<{ batch_position: number }[]>`select batch_position from order_cards where order_id = ${order.id}`;
    expect(got.body).not.toContain(mockCard((await placementRequestId(t.db, order.id))!, card!.batch_position).code);
    expect(got.headers["content-type"]).toBe("application/json");
    const listed = await listDeliveries(t.db, scopeOf(partnerId));
    expect(listed.data).toHaveLength(1); // the order.failed endpoint got nothing
    await finished(listed.data[0]!.id); // the receiver answered; the attempt is recorded right after
    const { data } = await listDeliveries(t.db, scopeOf(partnerId));
    expect(data[0]).toMatchObject({ status: "succeeded", attempts: 1, lastResponseStatusCode: 200, eventType: "order.completed" });
    expect(failedOnly.received).toHaveLength(0);
  });

  it("a vendor batch's members get their order.completed webhooks from one run of the batch, none per order", async () => {
    const partners = [await engine.sandboxPartner(), await engine.sandboxPartner(), await engine.sandboxPartner()];
    const hooks3 = await Promise.all(partners.map(() => receiver()));
    for (const [i, partnerId] of partners.entries()) {
      await createEndpoint(t.db, { ...scopeOf(partnerId), url: hooks3[i]!.url, events: ["order.completed"] }, hooks());
    }
    // Created at once, so they join one open batch (or a few, should the window close between them).
    const created = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => createOrder(t.db, orderInput(partners[i]!))));
    const ids = created.map((c) => c.order.id);
    for (const [i, hook] of hooks3.entries()) {
      await waitFor(`partner ${i}'s two order.completed webhooks`, async () => hook.received.length >= 2 || null, 20_000);
      const got = hook.received.map((r) => (JSON.parse(r.body) as { data: { orderId: string } }).data.orderId).sort();
      expect(got).toEqual(
        created
          .filter((c) => c.order.partnerId === partners[i])
          .map((c) => c.order.id)
          .sort(),
      );
    }
    const runs = await t.sql<{ name: string; data: { orderId?: string; orderIds?: string[]; batchId?: string } }[]>`
      select event->>'name' as name, event->'data' as data from job_runs where function_id = 'steller-webhook-order-events'`;
    // No run for a member's own order/completed; one orders/completed run per batch, covering them all.
    expect(runs.filter((r) => r.data.orderId && ids.includes(r.data.orderId))).toEqual([]);
    const batchRuns = runs.filter((r) => r.name === "orders/completed" && r.data.orderIds!.some((id) => ids.includes(id)));
    expect(batchRuns.flatMap((r) => r.data.orderIds!).sort()).toEqual([...ids].sort());
    const batches = new Set(await Promise.all(ids.map(async (id) => (await batchOf(t.db, id))!.id)));
    expect(new Set(batchRuns.map((r) => r.data.batchId))).toEqual(batches);
    expect(batches.size).toBeLessThan(ids.length);
  });

  it("emits order.failed for an order the vendor rejects", async () => {
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver();
    const { secret } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["*"] }, hooks());
    const { order } = await createOrder(t.db, orderInput(partnerId, "20.13"));
    const got = await waitFor("the order.failed webhook", async () => hook.received[0], 20_000);
    const payload = verifyWebhook(secret, got.headers as Record<string, string>, got.body) as { type: string; data: Record<string, unknown> };
    expect(payload.type).toBe("order.failed");
    expect(payload.data).toMatchObject({ orderId: order.id, status: "failed", failureCode: "out_of_stock", cardsDelivered: 0 });
  });

  it("retries a receiver answering 500 twice and succeeds on the third attempt, recording each attempt", async () => {
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver([500, 500, 200]);
    const { endpoint, secret } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["*"] }, hooks());
    const { deliveryId, eventId } = await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id);
    const done = await finished(deliveryId);
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(3);
    const detail = await getDelivery(t.db, scopeOf(partnerId), deliveryId);
    expect(detail.attemptLog.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 500, "HTTP 500"],
      [3, 200, null],
    ]);
    expect(hook.received.map((r) => r.headers["webhook-id"])).toEqual([eventId, eventId, eventId]);
    for (const r of hook.received) expect(verifyWebhook(secret, r.headers as Record<string, string>, r.body)).toMatchObject({ type: "webhook.test" });
    const gaps = hook.received.slice(1).map((r, i) => r.at - hook.received[i]!.at);
    console.log(`[webhooks] gaps between attempts with a 1 s schedule: ${gaps.join(", ")} ms`);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(900);
    const [e] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(e!.consecutiveFailures).toBe(0);
    expect(e!.firstFailureAt).toBeNull(); // success reset the failure tracking
  });

  it("marks a delivery exhausted after the last attempt of the schedule", async () => {
    configure({ retryScheduleMs: [1_000] });
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver([503]);
    const { endpoint } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["*"] }, hooks());
    const { deliveryId } = await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id);
    const done = await finished(deliveryId);
    expect(done).toMatchObject({ status: "exhausted", attempts: 2, lastStatusCode: 503, nextAttemptAt: null });
    expect(hook.received).toHaveLength(2);
    const [e] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(e!.consecutiveFailures).toBe(1);
    expect(e!.firstFailureAt).not.toBeNull();
    expect(e!.enabled).toBe(true);
  });

  it("replays a delivery with the same webhook-id as a new delivery", async () => {
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver();
    const { endpoint, secret } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["*"] }, hooks());
    const { deliveryId, eventId } = await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id);
    await finished(deliveryId);
    const replay = await replayDelivery(t.db, scopeOf(partnerId), deliveryId);
    expect(replay.id).not.toBe(deliveryId);
    expect(replay).toMatchObject({ eventId, replayOf: deliveryId, status: "pending", attempts: 0 });
    expect((await finished(replay.id)).status).toBe("succeeded");
    expect(hook.received.map((r) => r.headers["webhook-id"])).toEqual([eventId, eventId]);
    expect(hook.received[1]!.body).toBe(hook.received[0]!.body);
    verifyWebhook(secret, hook.received[1]!.headers as Record<string, string>, hook.received[1]!.body);
  });

  it("signs with both secrets for 24 hours after a rotation, then with the new one only", async () => {
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver();
    const { endpoint, secret: oldSecret } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["*"] }, hooks());
    const rotated = await rotateSecret(t.db, scopeOf(partnerId), endpoint.id);
    expect(rotated.secret).not.toBe(oldSecret);
    expect(rotated.endpoint.previousSecretExpiresAt!.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    await finished((await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id)).deliveryId);
    const during = hook.received[0]!;
    expect((during.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
    verifyWebhook(oldSecret, during.headers as Record<string, string>, during.body);
    verifyWebhook(rotated.secret, during.headers as Record<string, string>, during.body);
    await t.sql`update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = ${endpoint.id}`;
    await finished((await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id)).deliveryId);
    const after = hook.received[1]!;
    expect((after.headers["webhook-signature"] as string).split(" ")).toHaveLength(1);
    verifyWebhook(rotated.secret, after.headers as Record<string, string>, after.body);
    expect(() => verifyWebhook(oldSecret, after.headers as Record<string, string>, after.body)).toThrow(/No matching signature/);
    // The secret is stored encrypted, never in clear.
    const [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(row!.secretEncrypted).not.toContain(rotated.secret.slice(6));
    expect(row!.secretEncrypted).toMatch(/^v1\./);
  });
});

describe("SSRF guard", () => {
  it("refuses endpoints on private, loopback, link-local and IPv6 loopback addresses when private targets are not allowed", async () => {
    const partnerId = await engine.sandboxPartner();
    for (const url of ["http://127.0.0.1/hook", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://localhost:8080/"]) {
      const error = await createEndpoint(t.db, { ...scopeOf(partnerId), url, events: ["*"] }, { allowPrivateTargets: false }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(WebhookError);
      expect((error as WebhookError).code).toBe("invalid_url");
      expect((error as WebhookError).message).toMatch(/private|localhost/);
    }
    const ok = await createEndpoint(t.db, { ...scopeOf(partnerId), url: "https://hooks.example.com/steller", events: ["*"] }, { allowPrivateTargets: false });
    expect(ok.endpoint.url).toBe("https://hooks.example.com/steller");
    const patched = await updateEndpoint(t.db, scopeOf(partnerId), ok.endpoint.id, { url: "http://192.168.0.10/" }, { allowPrivateTargets: false }).catch(
      (e: unknown) => e,
    );
    expect((patched as WebhookError).code).toBe("invalid_url");
  });

  it("refuses at delivery time a hostname that resolves to loopback, and sends nothing", async () => {
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver();
    // Created while private targets were allowed (or before the name's DNS changed)…
    const { endpoint } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: `http://localhost:${hook.port}/hooks`, events: ["*"] }, hooks());
    configure({ allowPrivateTargets: false, retryScheduleMs: [] });
    const { deliveryId } = await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id);
    const done = await finished(deliveryId);
    expect(done.status).toBe("exhausted");
    expect(done.lastError).toMatch(/refused: localhost resolves to a private or reserved address \((127\.0\.0\.1|::1)\)/);
    expect(done.lastStatusCode).toBeNull();
    expect(hook.received).toHaveLength(0);
  });

  it("connects to the vetted address only, whatever a second DNS answer would say", async () => {
    const hook = await receiver();
    let lookups = 0;
    const resolve = async () => {
      lookups++;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    // A name the system resolver does not know: the request can only reach the receiver through the vetted address.
    const r = await postWebhook(`http://hooks.steller-rebind.test:${hook.port}/x`, { "webhook-id": "msg_1" }, "{}", {
      timeoutMs: 2_000,
      allowPrivate: true,
      resolve,
    });
    expect(r.statusCode).toBe(200);
    expect(lookups).toBe(1);
    expect(hook.received[0]!.headers.host).toBe(`hooks.steller-rebind.test:${hook.port}`);
    const mixed = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ];
    const refused = await postWebhook("https://public.example/x", {}, "{}", { timeoutMs: 2_000, allowPrivate: false, resolve: mixed });
    expect(refused).toMatchObject({ statusCode: null, error: "refused: public.example resolves to a private or reserved address (10.0.0.5)" });
  });

  it("does not follow redirects", async () => {
    const target = await receiver();
    const server = http.createServer((_req, res) => {
      res.writeHead(302, { location: target.url }).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const r = await postWebhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {}, "{}", { timeoutMs: 2_000, allowPrivate: true });
    server.close();
    expect(r.statusCode).toBe(302);
    expect(target.received).toHaveLength(0);
  });

  it("gives up on a receiver that does not answer within the timeout", async () => {
    const server = http.createServer(() => {}); // never answers
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const r = await postWebhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {}, "{}", { timeoutMs: 300, allowPrivate: true });
    server.closeAllConnections();
    server.close();
    expect(r).toMatchObject({ statusCode: null, error: "timed out after 300 ms" });
    expect(r.durationMs).toBeGreaterThanOrEqual(290);
  });
});

describe("endpoint health", () => {
  it("disables an endpoint after repeated exhausted deliveries and emails the partner's owner once", async () => {
    configure({ retryScheduleMs: [], disableAfterExhausted: 2 });
    const partnerId = await engine.sandboxPartner();
    const owner = await makeUser(t.db, { partnerId, role: "owner" });
    const hook = await receiver([500]);
    const { endpoint } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["*"] }, hooks());
    await finished((await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id)).deliveryId);
    expect((await getEndpoint(t.db, scopeOf(partnerId), endpoint.id)).status).toBe("active");
    await finished((await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id)).deliveryId);
    const disabled = await getEndpoint(t.db, scopeOf(partnerId), endpoint.id);
    expect(disabled).toMatchObject({ status: "disabled", enabled: false });
    expect(disabled.disabledReason).toBe("2 deliveries in a row failed every attempt");
    // Requested with the change, delivered by the email-send function.
    const mail = await mailFor(partnerId);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ to: owner.email, kind: "webhook.endpoint_disabled" });
    expect(mail[0]!.text).toContain(endpoint.id);
    // Disabled endpoints get no new events; re-enabling gives a fresh start.
    const { deliveryIds } = await emitPartnerEvent(t.db, { ...scopeOf(partnerId), type: "topup.approved", data: { topupId: "top_x" } });
    expect(deliveryIds).toEqual([]);
    const again = await updateEndpoint(t.db, scopeOf(partnerId), endpoint.id, { enabled: true });
    expect(again).toMatchObject({ status: "active", disabledReason: null });
  });

  it("disables an endpoint that has kept failing for more than three days", async () => {
    configure({ retryScheduleMs: [] });
    const partnerId = await engine.sandboxPartner();
    const hook = await receiver([500]);
    const { endpoint } = await createEndpoint(t.db, { ...scopeOf(partnerId), url: hook.url, events: ["*"] }, hooks());
    await t.sql`update webhook_endpoints set first_failure_at = now() - interval '3 days 1 minute' where id = ${endpoint.id}`;
    await finished((await sendTestEvent(t.db, scopeOf(partnerId), endpoint.id)).deliveryId);
    const e = await getEndpoint(t.db, scopeOf(partnerId), endpoint.id);
    expect(e.status).toBe("disabled");
    expect(e.disabledReason).toMatch(/^deliveries kept failing since \d{4}-\d\d-\d\d/);
    const mail = await mailFor(partnerId);
    expect(mail.map((m) => m.to)).toEqual([`ops@${partnerId}.test`]); // no owner user: the contact address
  });
});

describe("events", () => {
  it("routes an event to every enabled endpoint subscribed to its type and to * , and emits once per idempotency key", async () => {
    const partnerId = await engine.sandboxPartner();
    const scope = scopeOf(partnerId);
    const mk = (events: string[], enabled = true) =>
      createEndpoint(t.db, { ...scope, url: "https://hooks.example.com/a", events, enabled }, { allowPrivateTargets: false });
    const all = await mk(["*"]);
    const topups = await mk(["topup.approved"]);
    await mk(["order.completed"]);
    await mk(["topup.approved"], false);
    const live = await createEndpoint(
      t.db,
      { partnerId, environment: "live", url: "https://hooks.example.com/live", events: ["*"] },
      { allowPrivateTargets: false },
    );
    const deleted = await mk(["*"]);
    await deleteEndpoint(t.db, scope, deleted.endpoint.id);
    const first = await emitPartnerEvent(t.db, { ...scope, type: "topup.approved", data: { topupId: "top_1" }, idempotencyKey: "k1" });
    const rows = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, first.event.id));
    expect(rows.map((r) => r.endpointId).sort()).toEqual([all.endpoint.id, topups.endpoint.id].sort());
    expect(rows.map((r) => r.endpointId)).not.toContain(live.endpoint.id);
    const second = await emitPartnerEvent(t.db, { ...scope, type: "topup.approved", data: { topupId: "top_1" }, idempotencyKey: "k1" });
    expect(second).toMatchObject({ created: false, deliveryIds: [] });
    expect(second.event.id).toBe(first.event.id);
    // The deliver events were enqueued in the same transaction as the deliveries.
    const outbox = await t.sql`select 1 from job_events where name = 'webhook/deliver' and data->>'deliveryId' = any(${rows.map((r) => r.id)})`;
    expect(outbox).toHaveLength(2);
  });

  it("emits many events in one call: each to its own partner's subscribed endpoints, an idempotency key once", async () => {
    const [a, b] = [await engine.sandboxPartner(), await engine.sandboxPartner()];
    const mk = (partnerId: string, events: string[]) =>
      createEndpoint(t.db, { ...scopeOf(partnerId), url: "https://hooks.example.com/m", events }, { allowPrivateTargets: false });
    const aOrders = await mk(a, ["order.completed"]);
    const aAll = await mk(a, ["*"]);
    const bTopups = await mk(b, ["topup.approved"]);
    const before = await emitPartnerEvent(t.db, { ...scopeOf(a), type: "order.completed", data: { n: 0 }, idempotencyKey: "many-0" });
    const out = await emitPartnerEvents(t.db, [
      { ...scopeOf(a), type: "order.completed", data: { n: 1 }, idempotencyKey: "many-1" },
      { ...scopeOf(b), type: "order.completed", data: { n: 2 }, idempotencyKey: "many-2" },
      { ...scopeOf(a), type: "order.completed", data: { n: 0 }, idempotencyKey: "many-0" }, // emitted before
      { ...scopeOf(b), type: "topup.approved", data: { n: 3 } },
      { ...scopeOf(a), type: "order.completed", data: { n: 1 }, idempotencyKey: "many-1" }, // twice in this call
    ]);
    expect(out.map((o) => o.created)).toEqual([true, true, false, true, false]);
    expect(out[2]!.event.id).toBe(before.event.id);
    expect(out[4]!.event.id).toBe(out[0]!.event.id);
    expect(out.map((o) => o.event.payload)).toMatchObject([{ data: { n: 1 } }, { data: { n: 2 } }, { data: { n: 0 } }, { data: { n: 3 } }, { data: { n: 1 } }]);
    const endpointsOf = async (o: (typeof out)[number]) =>
      (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, o.event.id))).map((d) => d.endpointId).sort();
    expect(await endpointsOf(out[0]!)).toEqual([aOrders.endpoint.id, aAll.endpoint.id].sort());
    expect(await endpointsOf(out[1]!)).toEqual([]); // b subscribes to top-ups only
    expect(await endpointsOf(out[3]!)).toEqual([bTopups.endpoint.id]);
    expect(out[0]!.deliveryIds.sort()).toEqual(
      (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, out[0]!.event.id))).map((d) => d.id).sort(),
    );
    expect(out[2]!.deliveryIds).toEqual([]);
    expect(await emitPartnerEvents(t.db, [])).toEqual([]);
  });

  it("checks many wallets at once: each below its threshold alerts once, each back above forgets its alert", async () => {
    // Each sandbox partner has 1000.0000 USD.
    const [low, lowOwn, high, alerted] = [
      await engine.sandboxPartner(),
      await engine.sandboxPartner(),
      await engine.sandboxPartner(),
      await engine.sandboxPartner(),
    ];
    const wallet = (partnerId: string) => ({ partnerId, environment: "sandbox" as const, currency: "USD" });
    await setLowBalanceThreshold(t.db, low, "1500.0000"); // the partner's default: below
    await setLowBalanceThreshold(t.db, lowOwn, "10.0000");
    await setWalletLowBalanceThreshold(t.db, { ...wallet(lowOwn), threshold: "2000.0000" }); // the wallet's own wins: below
    await setLowBalanceThreshold(t.db, high, "1500.0000");
    await setWalletLowBalanceThreshold(t.db, { ...wallet(high), threshold: "5.0000" }); // the wallet's own wins: above
    await setLowBalanceThreshold(t.db, alerted, "1500.0000");
    expect((await checkLowBalance(t.db, wallet(alerted))).eventId).toMatch(/^msg_/); // alerted already
    await t.db.insert(lowBalanceAlerts).values({ ...wallet(high), balance: "1.0000", threshold: "5.0000" }); // a crossing since undone

    const all = [wallet(low), wallet(lowOwn), wallet(high), wallet(alerted), { ...wallet(low), environment: "live" as const }];
    const first = await checkLowBalances(t.db, all);
    expect(first.eventIds).toHaveLength(2);
    const alerts = async () =>
      (await t.db.select().from(lowBalanceAlerts))
        .filter((r) => [low, lowOwn, high, alerted].includes(r.partnerId))
        .map((r) => r.partnerId)
        .sort();
    expect(await alerts()).toEqual([low, lowOwn, alerted].sort());
    const events = await t.db.select().from(webhookEvents).where(inArray(webhookEvents.id, first.eventIds));
    expect(events.map((e) => [e.partnerId, (e.payload as { data: { threshold: string } }).data.threshold]).sort()).toEqual(
      [
        [low, "1500.0000"],
        [lowOwn, "2000.0000"],
      ].sort(),
    );
    // Once per crossing: the same check again emits nothing.
    expect(await checkLowBalances(t.db, all)).toEqual({ eventIds: [] });
    expect(await checkLowBalances(t.db, [])).toEqual({ eventIds: [] });
  });

  it("writes nothing when the transaction that emits rolls back", async () => {
    const partnerId = await engine.sandboxPartner();
    await createEndpoint(t.db, { ...scopeOf(partnerId), url: "https://hooks.example.com/a", events: ["*"] }, { allowPrivateTargets: false });
    await t.db
      .transaction(async (tx) => {
        await emitPartnerEvent(tx, { ...scopeOf(partnerId), type: "topup.approved", data: {} });
        throw new Error("rollback");
      })
      .catch(() => {});
    expect(await t.db.select().from(webhookEvents).where(eq(webhookEvents.partnerId, partnerId))).toEqual([]);
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.partnerId, partnerId))).toEqual([]);
  });

  it("emits wallet.low_balance once per crossing of the partner's threshold", async () => {
    const partnerId = await engine.sandboxPartner(); // 1000.0000 USD in the sandbox
    await setLowBalanceThreshold(t.db, partnerId, "990.0000");
    const lowEvents = () =>
      t.db
        .select()
        .from(webhookEvents)
        .where(eq(webhookEvents.partnerId, partnerId))
        .then((r) => r.filter((e) => e.type === "wallet.low_balance"));
    const { order } = await createOrder(t.db, orderInput(partnerId));
    await waitFor("the low-balance event", async () => (await lowEvents()).length > 0 || null, 20_000);
    const second = await createOrder(t.db, orderInput(partnerId));
    await waitFor(
      "the second order.completed event",
      async () => {
        const evs = await t.db.select().from(webhookEvents).where(eq(webhookEvents.partnerId, partnerId));
        return evs.filter((e) => e.type === "order.completed").length === 2 || null;
      },
      20_000,
    );
    await new Promise((r) => setTimeout(r, 300)); // let the check after the second completion run
    const events = await lowEvents();
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ type: "wallet.low_balance", data: { currency: "USD", threshold: "990.0000" } });
    expect(order.id).not.toBe(second.order.id);
    // Back above the threshold re-arms the alert; the next crossing alerts again.
    await setLowBalanceThreshold(t.db, partnerId, "10.0000");
    expect(await checkLowBalance(t.db, { partnerId, environment: "sandbox", currency: "USD" })).toEqual({ below: false, eventId: null });
    await setLowBalanceThreshold(t.db, partnerId, "990.0000");
    const again = await checkLowBalance(t.db, { partnerId, environment: "sandbox", currency: "USD" });
    expect(again.eventId).toMatch(/^msg_/);
    expect(await checkLowBalance(t.db, { partnerId, environment: "sandbox", currency: "USD" })).toEqual({ below: true, eventId: null });
  });

  it("emits topup.approved once for an approved top-up", async () => {
    const partnerId = await engine.sandboxPartner();
    const { endpoint } = await createEndpoint(
      t.db,
      { partnerId, environment: "live", url: "https://hooks.example.com/t", events: ["topup.approved"] },
      { allowPrivateTargets: false },
    );
    const request = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "250.00", requestedBy: "test" });
    const approved = await t.db.transaction(async (tx) => {
      const { request: r } = await approveTopup(tx, { requestId: request.id, actor: "admin" });
      return { r, emitted: await emitTopupApproved(tx, r) };
    });
    expect((await emitTopupApproved(t.db, approved.r)).eventId).toBe(approved.emitted.eventId);
    const [event] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.id, approved.emitted.eventId));
    expect(event!.payload).toMatchObject({ type: "topup.approved", data: { topupId: request.id, status: "approved", amount: "250.0000", currency: "USD" } });
    const { data } = await listDeliveries(t.db, { partnerId, environment: "live" });
    expect(data.map((d) => d.endpointId)).toEqual([endpoint.id]);
  });
});

describe("tenant isolation", () => {
  it("never shows or changes another partner's endpoints and deliveries, nor another environment's", async () => {
    const a = await engine.sandboxPartner("A");
    const b = await engine.sandboxPartner("B");
    const hook = await receiver();
    const { endpoint } = await createEndpoint(t.db, { ...scopeOf(a), url: hook.url, events: ["*"] }, hooks());
    const { deliveryId } = await sendTestEvent(t.db, scopeOf(a), endpoint.id);
    await finished(deliveryId);
    const bScope = scopeOf(b);
    const aLive = { partnerId: a, environment: "live" as const };
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "OK",
        (e: unknown) => (e instanceof WebhookError ? e.code : String(e)),
      );
    for (const scope of [bScope, aLive]) {
      expect(await code(getEndpoint(t.db, scope, endpoint.id))).toBe("resource_not_found");
      expect(await code(updateEndpoint(t.db, scope, endpoint.id, { enabled: false }))).toBe("resource_not_found");
      expect(await code(rotateSecret(t.db, scope, endpoint.id))).toBe("resource_not_found");
      expect(await code(sendTestEvent(t.db, scope, endpoint.id))).toBe("resource_not_found");
      expect(await code(deleteEndpoint(t.db, scope, endpoint.id))).toBe("resource_not_found");
      expect(await code(getDelivery(t.db, scope, deliveryId))).toBe("resource_not_found");
      expect(await code(replayDelivery(t.db, scope, deliveryId))).toBe("resource_not_found");
      expect(await listEndpoints(t.db, scope)).toEqual([]);
      expect((await listDeliveries(t.db, scope)).data).toEqual([]);
      expect((await listDeliveries(t.db, scope, { endpointId: endpoint.id })).data).toEqual([]);
    }
    // Nothing changed for A.
    expect(await getEndpoint(t.db, scopeOf(a), endpoint.id)).toMatchObject({ status: "active" });
    expect(hook.received).toHaveLength(1);
  });

  it("pages the delivery log newest first by cursor and filters by status and endpoint", async () => {
    const partnerId = await engine.sandboxPartner();
    const scope = scopeOf(partnerId);
    const hook = await receiver();
    const ok = await createEndpoint(t.db, { ...scope, url: hook.url, events: ["*"] }, hooks());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await emitPartnerEvent(t.db, { ...scope, type: "topup.approved", data: { i } })).deliveryIds[0]!);
    for (const id of ids) await finished(id);
    const page1 = await listDeliveries(t.db, scope, { limit: 2 });
    const page2 = await listDeliveries(t.db, scope, { limit: 2, startingAfter: page1.nextCursor! });
    const page3 = await listDeliveries(t.db, scope, { limit: 2, startingAfter: page2.nextCursor! });
    expect([...page1.data, ...page2.data, ...page3.data].map((d) => d.id)).toEqual([...ids].sort().reverse());
    expect([page1.hasMore, page2.hasMore, page3.hasMore]).toEqual([true, true, false]);
    expect(page3.nextCursor).toBeNull();
    await t.sql`update webhook_deliveries set status = 'exhausted' where id = ${ids[0]!}`;
    expect((await listDeliveries(t.db, scope, { status: "exhausted" })).data.map((d) => d.id)).toEqual([ids[0]]);
    expect((await listDeliveries(t.db, scope, { status: "succeeded" })).data).toHaveLength(4);
    expect((await listDeliveries(t.db, scope, { endpointId: ok.endpoint.id, limit: 100 })).data).toHaveLength(5);
  });
});
