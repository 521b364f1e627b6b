import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverWebhook } from "@/server/jobs/functions/webhooks";
import { orderEngineFunctions } from "@/server/jobs/functions/orders";
import { createApiKey } from "@/server/keys";
import { bindAppDatabase } from "../support/app";
import { serveApi } from "../support/api-http";
import { createTestDatabase, type TestDatabase } from "../support/db";
import type { ServedHandler } from "../support/mock-vendor-server";
import { startOrderEngine, TEST_KEY, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";
import { createRetryingSteller, withRetries } from "../../docs/samples/retries";
import { verifyStellerWebhook } from "../../docs/samples/verify-webhook";

// Every code sample the docs show (/docs, read from docs/samples/ when the page renders) is
// executed here against the app's own route handlers over real HTTP: the shell samples with
// bash and curl, exactly as written, with STELLER_URL and the sandbox key from a fresh signup;
// the TypeScript ones imported as they are. Text and test share one source: rename a field in
// a sample and its test fails. The quickstart.ts sample runs in sdk-quickstart.test.ts.

const SAMPLES = path.resolve(import.meta.dirname, "../../docs/samples");
const RUN_ELSEWHERE: Record<string, string> = { "quickstart.ts": "sdk-quickstart.test.ts" };
const executed = new Set<string>();

let t: TestDatabase;
let engine: OrderEngine;
let api: ServedHandler;
let receiver: http.Server;
let receiverUrl: string;
let webhookSecret = "";
const received: Array<{
  id: string | null;
  verified: boolean;
  tamperedRejected: boolean;
  payload?: { type: string; data: Record<string, unknown> };
  error?: string;
}> = [];
const env: Record<string, string> = {};

/**
 * Runs docs/samples/<file> with bash (set -euo pipefail) and answers its output as JSON; an
 * API error in the output fails the test with its code and message (unless `error.sh`).
 */
async function sh(file: string, extra: Record<string, string> = {}): Promise<any> {
  executed.add(file);
  const child = spawn("bash", ["-euo", "pipefail", path.join(SAMPLES, file)], {
    env: {
      NODE_ENV: process.env.NODE_ENV,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      STELLER_URL: api.origin,
      ...env,
      ...extra,
    },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${file} exited ${code}: ${err}`);
  let json: { error?: { code: string; message: string } };
  try {
    json = JSON.parse(out);
  } catch {
    throw new Error(`${file} did not print JSON: ${out.slice(0, 500)}`);
  }
  if (json.error && file !== "error.sh") throw new Error(`${file} got an API error: ${json.error.code}: ${json.error.message}`);
  return json;
}

beforeAll(async () => {
  process.env.STELLER_REQUEST_LOG = "off";
  t = await createTestDatabase(20);
  const webhooks = { allowPrivateTargets: true, retryScheduleMs: [1_000], timeoutMs: 2_000 };
  bindAppDatabase(t, { encryptionKey: TEST_KEY, webhooks });
  // Every function of the order path (fulfilment and whatever else it grows), plus webhook delivery.
  engine = await startOrderEngine(t, { functions: [...orderEngineFunctions, deliverWebhook], services: { webhooks } });
  api = await serveApi();
  // A receiver that checks each delivery with the docs' own verification sample.
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]));
      let tamperedRejected = false;
      try {
        verifyStellerWebhook(webhookSecret, headers, raw.replace(/}$/, ',"x":1}'));
      } catch {
        tamperedRejected = true;
      }
      try {
        const payload = verifyStellerWebhook(webhookSecret, headers, raw);
        received.push({ id: headers.get("webhook-id"), verified: true, tamperedRejected, payload });
        res.statusCode = 204;
      } catch (e) {
        received.push({ id: headers.get("webhook-id"), verified: false, tamperedRejected, error: String(e) });
        res.statusCode = 400;
      }
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/steller-webhooks`;
});
afterAll(async () => {
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  await api?.close();
  await engine?.stop();
  await t?.close();
});

describe("docs samples, run as written against the API", () => {
  let signup: { partner: { id: string }; apiKey: { id: string; secret: string }; sandboxBalance: { amount: string; currency: string } };
  let orderId: string;

  it("signup.sh: creates a sandbox account and answers the key (shown once) and the test funds", async () => {
    signup = await sh("signup.sh");
    expect(signup.apiKey?.secret).toMatch(/^stlr_test_/);
    expect(Number(signup.sandboxBalance.amount)).toBeGreaterThan(0);
    env.STELLER_API_KEY = signup.apiKey.secret;
  });

  it("wallet.sh: the sandbox wallet holds the signup grant", async () => {
    const w = await sh("wallet.sh");
    expect(w.environment).toBe("sandbox");
    expect(w.data).toContainEqual(expect.objectContaining({ currency: signup.sandboxBalance.currency }));
  });

  it("catalog.sh: lists US products in USD, at most 5", async () => {
    const c = await sh("catalog.sh");
    expect(c.data.length).toBeGreaterThan(0);
    expect(c.data.length).toBeLessThanOrEqual(5);
    for (const p of c.data) expect(p).toMatchObject({ countryCode: "US", faceCurrency: "USD" });
  });

  it("create-order.sh: 202 with a pending order; the same request again answers the same order (idempotent)", async () => {
    const o = await sh("create-order.sh");
    expect(Number(o.faceValue)).toBe(25);
    expect(o).toMatchObject({ object: "order", sku: "BAM-990001", quantity: 1, referenceId: "order-1001", environment: "sandbox" });
    orderId = o.id;
    const again = await sh("create-order.sh");
    expect(again.id).toBe(orderId);
    env.ORDER_ID = orderId;
  });

  it("poll-order.sh and get-order.sh: the order completes with a card code", async () => {
    const done = await sh("poll-order.sh");
    expect(done).toMatchObject({ id: orderId, status: "completed", cardsDelivered: 1 });
    expect(done.cards[0].code).toMatch(/^TEST-/);
    const got = await sh("get-order.sh");
    expect(got.cards[0].code).toBe(done.cards[0].code);
  });

  it("find-order.sh: finds the order by its referenceId", async () => {
    const found = await sh("find-order.sh");
    expect(found.data.map((o: { id: string }) => o.id)).toEqual([orderId]);
  });

  it("error.sh: answers the error envelope with the documented code and param", async () => {
    const e = await sh("error.sh");
    expect(e.error).toMatchObject({ type: "invalid_request_error", code: "invalid_face_value", requestId: expect.stringMatching(/^req_/) });
  });

  it("sandbox-out-of-stock.sh: the .13 magic value is accepted, then fails and is refunded", async () => {
    const o = await sh("sandbox-out-of-stock.sh");
    expect(o.status).toBe("pending");
    expect(Number(o.faceValue)).toBe(10.13);
    const failed = await sh("poll-order.sh", { ORDER_ID: o.id });
    expect(failed).toMatchObject({ id: o.id, status: "failed", cardsDelivered: 0, refundedAmount: o.totalPrice });
    expect(failed.failure?.code).toBeTruthy();
  });

  it("create-webhook-endpoint.sh, test-webhook.sh: a signed test event reaches a receiver that verifies it with verify-webhook.ts", async () => {
    const ep = await sh("create-webhook-endpoint.sh", { WEBHOOK_URL: receiverUrl });
    expect(ep.secret).toMatch(/^whsec_/);
    expect(ep.events).toEqual(["order.completed", "order.failed"]);
    webhookSecret = ep.secret;
    env.ENDPOINT_ID = ep.id;
    executed.add("verify-webhook.ts");
    await sh("test-webhook.sh");
    const got = await waitFor("the test event", async () => received[0]);
    expect(got).toMatchObject({ verified: true, tamperedRejected: true, payload: { type: "webhook.test" } });
    expect(got.id).toBeTruthy();
  });

  it("list-deliveries.sh, replay-delivery.sh: the delivery is logged and replayed with the same webhook-id", async () => {
    const list = await sh("list-deliveries.sh");
    expect(list.data.length).toBeGreaterThan(0);
    env.DELIVERY_ID = list.data[0].id;
    await sh("replay-delivery.sh");
    const replayed = await waitFor("the replayed event", async () => received[1]);
    expect(replayed).toMatchObject({ verified: true, id: received[0]!.id });
  });

  it("verify-webhook.ts: refuses a wrong secret, an old timestamp and missing headers", () => {
    const body = JSON.stringify({ type: "webhook.test", timestamp: new Date().toISOString(), data: {} });
    const now = Math.floor(Date.now() / 1000);
    const sign = async (secret: string, ts: number) => {
      const { createHmac } = await import("node:crypto");
      return `v1,${createHmac("sha256", Buffer.from(secret.replace(/^whsec_/, ""), "base64"))
        .update(`msg_1.${ts}.${body}`)
        .digest("base64")}`;
    };
    return (async () => {
      const ok = new Headers({ "webhook-id": "msg_1", "webhook-timestamp": String(now), "webhook-signature": await sign(webhookSecret, now) });
      expect(verifyStellerWebhook(webhookSecret, ok, body).type).toBe("webhook.test");
      const other = `whsec_${Buffer.from("another secret, 24 bytes").toString("base64")}`;
      expect(() => verifyStellerWebhook(other, ok, body)).toThrow(/signature/);
      const old = new Headers({ "webhook-id": "msg_1", "webhook-timestamp": String(now - 3600), "webhook-signature": await sign(webhookSecret, now - 3600) });
      expect(() => verifyStellerWebhook(webhookSecret, old, body)).toThrow(/timestamp/);
      expect(() => verifyStellerWebhook(webhookSecret, new Headers(), body)).toThrow(/missing/);
    })();
  });

  it("retries.ts: a burst past the key's rate limit gets 429s, and withRetries carries every request through", async () => {
    executed.add("retries.ts");
    // A key of its own: the burst empties its bucket, and the samples after this one (on the
    // signup key) must not start on an empty one (they did, once, in CI: rotate-key.sh got a 429).
    const { secret: key } = await createApiKey(t.db, { partnerId: signup.partner.id, environment: "sandbox", name: "retries burst", actor: "test" });
    let retried = 0;
    const statuses = await Promise.all(
      // 120 requests against a burst of 50 and 25/s: about 3 s of refill, well inside 8 attempts
      // (the wait before each is ≥ 1 s), yet 70 of them must be retried to succeed.
      Array.from({ length: 120 }, () =>
        withRetries(() => fetch(`${api.origin}/api/v1/wallet`, { headers: { "x-api-key": key } }), { attempts: 8, onRetry: () => retried++ }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(retried).toBeGreaterThan(0);
    const steller = createRetryingSteller(api.origin, key);
    const { data, response } = await steller.GET("/api/v1/wallet");
    expect(response.status).toBe(200);
    expect(data?.environment).toBe("sandbox");
  });

  it("rotate-key.sh: answers a new key; the old one keeps working during the overlap", async () => {
    const r = await sh("rotate-key.sh", { KEY_ID: signup.apiKey.id });
    expect(r.secret).toMatch(/^stlr_test_/);
    expect(r.secret).not.toBe(signup.apiKey.secret);
    expect(r.previous.expiresAt).toBeTruthy();
    const old = await sh("wallet.sh");
    expect(old.environment).toBe("sandbox");
    const fresh = await sh("wallet.sh", { STELLER_API_KEY: r.secret });
    expect(fresh.environment).toBe("sandbox");
  });

  it("every file in docs/samples was executed (here, or by the test named for it)", () => {
    const files = fs.readdirSync(SAMPLES).filter((f) => !f.startsWith("."));
    const missing = files.filter((f) => !executed.has(f) && !RUN_ELSEWHERE[f]);
    expect(missing, "samples no test runs").toEqual([]);
    for (const [file, test] of Object.entries(RUN_ELSEWHERE)) {
      expect(fs.readFileSync(path.resolve(import.meta.dirname, test), "utf8")).toContain(`docs/samples/${file.replace(/\.ts$/, "")}`);
    }
  });
});
