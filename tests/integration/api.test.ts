import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as catalogRoute from "@/app/api/v1/catalog/route";
import * as keysRoute from "@/app/api/v1/keys/route";
import * as rotateRoute from "@/app/api/v1/keys/[id]/rotate/route";
import * as logsRoute from "@/app/api/v1/logs/route";
import * as orderRoute from "@/app/api/v1/orders/[id]/route";
import * as ordersRoute from "@/app/api/v1/orders/route";
import * as signupRoute from "@/app/api/v1/public/signup/route";
import * as usageRoute from "@/app/api/v1/usage/route";
import * as walletRoute from "@/app/api/v1/wallet/route";
import * as statementRoute from "@/app/api/v1/wallet/statement.csv/route";
import * as topupRoute from "@/app/api/v1/wallet/topup-requests/route";
import * as txRoute from "@/app/api/v1/wallet/transactions/route";
import { createApiKey, revokeApiKey } from "@/server/keys";
import { adminCredit } from "@/server/ledger";
import { bindAppDatabase, call, flushRequestLog } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

let t: TestDatabase;
let engine: OrderEngine;
let a: { partnerId: string; key: string; keyId: string };
let b: { partnerId: string; key: string; keyId: string };

async function partnerWithKey(name: string) {
  const partnerId = await engine.sandboxPartner(name);
  const { key, secret } = await createApiKey(t.db, { partnerId, environment: "sandbox", name: "test", actor: "test" });
  return { partnerId, key: secret, keyId: key.id };
}

beforeAll(async () => {
  t = await createTestDatabase(20);
  bindAppDatabase(t);
  engine = await startOrderEngine(t);
  a = await partnerWithKey("Partner A");
  b = await partnerWithKey("Partner B");
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const envelope = (json: any) =>
  expect(json).toMatchObject({
    error: { type: expect.any(String), code: expect.any(String), message: expect.any(String), requestId: expect.stringMatching(/^req_/) },
  });

describe("authentication", () => {
  it("answers 401 for a missing, malformed or unknown key, in the error envelope with a request id", async () => {
    for (const key of [undefined, "nope", `stlr_test_${"1".repeat(32)}`]) {
      const r = await call(walletRoute.GET, "/api/v1/wallet", { key });
      expect(r.status).toBe(401);
      envelope(r.json);
      expect(r.headers.get("x-request-id")).toBe(r.json.error.requestId);
    }
  });

  it("accepts Authorization: Bearer as well as x-api-key", async () => {
    const r = await call(walletRoute.GET, "/api/v1/wallet", { headers: { authorization: `Bearer ${a.key}` } });
    expect(r.status).toBe(200);
  });

  it("refuses a revoked key", async () => {
    const p = await partnerWithKey("Revoked");
    await revokeApiKey(t.db, { partnerId: p.partnerId, keyId: p.keyId, actor: "test" });
    const r = await call(walletRoute.GET, "/api/v1/wallet", { key: p.key });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe("revoked_api_key");
  });

  it("keeps a rotated key working inside the overlap and refuses it after", async () => {
    const p = await partnerWithKey("Rotating");
    const rot = await call(rotateRoute.POST, `/api/v1/keys/${p.keyId}/rotate`, { key: p.key, params: { id: p.keyId }, body: { overlapSeconds: 3600 } });
    expect(rot.status).toBe(201);
    expect(rot.json.secret).toMatch(/^stlr_test_/);
    expect((await call(walletRoute.GET, "/api/v1/wallet", { key: p.key })).status).toBe(200);
    expect((await call(walletRoute.GET, "/api/v1/wallet", { key: rot.json.secret })).status).toBe(200);
    const rot2 = await call(rotateRoute.POST, `/api/v1/keys/${rot.json.key.id}/rotate`, {
      key: rot.json.secret,
      params: { id: rot.json.key.id },
      body: { overlapSeconds: 0 },
    });
    expect(rot2.status).toBe(201);
    const old = await call(walletRoute.GET, "/api/v1/wallet", { key: rot.json.secret });
    expect(old.status).toBe(401);
    expect(old.json.error.code).toBe("expired_api_key");
  });

  it("keeps test keys out of live data", async () => {
    await adminCredit(t.db, { partnerId: a.partnerId, environment: "live", currency: "USD", amount: "500.00", reason: "test", actor: "admin" });
    const sandbox = await call(walletRoute.GET, "/api/v1/wallet", { key: a.key });
    expect(sandbox.json.environment).toBe("sandbox");
    expect(sandbox.json.data.map((w: any) => w.balance)).not.toContain("500.0000");
    const { secret: live } = await createApiKey(t.db, { partnerId: a.partnerId, environment: "live", actor: "test" });
    expect(live).toMatch(/^stlr_live_/);
    const liveWallet = await call(walletRoute.GET, "/api/v1/wallet", { key: live });
    expect(liveWallet.json).toMatchObject({ environment: "live", data: [{ currency: "USD", balance: "500.0000" }] });
  });

  it("refuses requests from outside a key's IP allowlist with 403", async () => {
    const { secret } = await createApiKey(t.db, {
      partnerId: a.partnerId,
      environment: "sandbox",
      ipAllowlist: ["203.0.113.0/24", "2001:db8::/32"],
      actor: "test",
    });
    expect((await call(walletRoute.GET, "/api/v1/wallet", { key: secret, ip: "203.0.113.9" })).status).toBe(200);
    expect((await call(walletRoute.GET, "/api/v1/wallet", { key: secret, ip: "2001:db8::1" })).status).toBe(200);
    const denied = await call(walletRoute.GET, "/api/v1/wallet", { key: secret, ip: "198.51.100.1", headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("ip_not_allowed");
  });

  it("refuses a suspended partner's keys with 403 and counts tokens only for usable keys", async () => {
    const p = await partnerWithKey("Suspended soon");
    const ok = await call(walletRoute.GET, "/api/v1/wallet", { key: p.key });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit-remaining")).toBe("49");
    const tokens = async () => (await t.sql<{ tokens: string }[]>`select tokens::text from rate_limit_buckets where key = ${`key:${p.keyId}`}`)[0]?.tokens;
    const before = await tokens();
    await t.sql`update partners set status = 'suspended' where id = ${p.partnerId}`;
    const refused = await call(walletRoute.GET, "/api/v1/wallet", { key: p.key });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("account_suspended");
    expect(refused.headers.get("ratelimit-remaining")).toBeNull();
    expect(await tokens()).toBe(before); // the refused request took no token
    await t.sql`update partners set status = 'active' where id = ${p.partnerId}`;
    expect((await call(walletRoute.GET, "/api/v1/wallet", { key: p.key })).status).toBe(200);
  });

  it("rate-limits a key with 429, Retry-After and RateLimit headers", async () => {
    const p = await partnerWithKey("Busy");
    const results = await Promise.all(Array.from({ length: 80 }, () => call(walletRoute.GET, "/api/v1/wallet", { key: p.key })));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.headers.get("ratelimit-limit")).toBe("50");
    expect(limited[0]!.json.error.type).toBe("rate_limit_error");
    const ok = results.find((r) => r.status === 200)!;
    expect(ok.headers.get("ratelimit-remaining")).not.toBeNull();
  });
});

describe("orders over the API", () => {
  it("creates an order with 202, replays it with the same referenceId and refuses a different body with 409", async () => {
    const body = { sku: RANGED_USD, faceValue: "10.00", quantity: 1, referenceId: "api-1" };
    const first = await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, body });
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ id: expect.stringMatching(/^ord_/), object: "order", status: "pending", faceValue: "10.0000" });
    const again = await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, body });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const conflict = await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, body: { ...body, faceValue: "11.00" } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.code).toBe("reference_conflict");
    const viaHeader = await call(ordersRoute.POST, "/api/v1/orders", {
      key: a.key,
      body: { sku: RANGED_USD, faceValue: "10.00" },
      headers: { "idempotency-key": "api-1" },
    });
    expect(viaHeader.json.id).toBe(first.json.id);

    const done = await waitFor("the order to complete", async () => {
      const r = await call(orderRoute.GET, `/api/v1/orders/${first.json.id}`, { key: a.key, params: { id: first.json.id } });
      return r.json.status === "completed" ? r : null;
    });
    expect(done.json.cards).toHaveLength(1);
    expect(done.json.cards[0].code).toMatch(/^TEST-/);
  });

  it("explains what is wrong with a bad order", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ sku: RANGED_USD, faceValue: 10, referenceId: "x1" }, 400, "invalid_parameter"],
      [{ sku: RANGED_USD, faceValue: "10.00" }, 400, "missing_reference_id"],
      [{ sku: RANGED_USD, faceValue: "10.00", referenceId: "x2", discount: "50" }, 400, "invalid_parameter"],
      [{ sku: "BAM-0", faceValue: "10.00", referenceId: "x3" }, 404, "product_not_found"],
      [{ sku: RANGED_USD, faceValue: "5000.00", referenceId: "x4" }, 422, "invalid_face_value"],
      [{ sku: RANGED_USD, faceValue: "900.00", quantity: 500, referenceId: "x5" }, 402, "insufficient_funds"],
    ];
    for (const [body, status, code] of cases) {
      const r = await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, body });
      expect([r.status, r.json.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const unknown = await call(ordersRoute.POST, "/api/v1/orders", {
      key: a.key,
      body: { sku: RANGED_USD, faceValue: "1.00", referenceId: "x6", balance: "1" },
    });
    expect(unknown.json.error.message).toContain("Unknown field");
    const nul = await call(topupRoute.POST, "/api/v1/wallet/topup-requests", { key: a.key, body: { amount: "1.00", note: "a\u0000b" } });
    expect([nul.status, nul.json.error.param]).toEqual([400, "note"]);
    const nulCursor = await call(catalogRoute.GET, "/api/v1/catalog", { key: a.key, query: { startingAfter: "\u0000" } });
    expect([nulCursor.status, nulCursor.json.error.code]).toEqual([400, "invalid_parameter"]);
    const deep = await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, rawBody: "[".repeat(20_000) + "]".repeat(20_000) });
    expect([deep.status, deep.json.error.code]).toEqual([400, "invalid_parameter"]);
    const wrongMethod = await call(ordersRoute.PUT, "/api/v1/orders", { method: "PUT", key: a.key, body: {} });
    expect([wrongMethod.status, wrongMethod.json.error.code, wrongMethod.headers.get("allow")]).toEqual([405, "method_not_allowed", "GET, POST"]);
    const malformed = await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, rawBody: "{not json" });
    expect([malformed.status, malformed.json.error.code]).toEqual([400, "invalid_json"]);
  });
});

describe("tenant isolation", () => {
  it("never shows partner A's resources to partner B", async () => {
    const created = await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, body: { sku: RANGED_USD, faceValue: "3.00", referenceId: "iso-1" } });
    const id = created.json.id as string;
    const get = await call(orderRoute.GET, `/api/v1/orders/${id}`, { key: b.key, params: { id } });
    expect(get.status).toBe(404);
    expect(get.text).not.toContain("iso-1");
    const list = await call(ordersRoute.GET, "/api/v1/orders", { key: b.key, query: { referenceId: "iso-1" } });
    expect(list.json.data).toEqual([]);
    // B reusing A's reference id creates B's own order, never A's.
    const same = await call(ordersRoute.POST, "/api/v1/orders", { key: b.key, body: { sku: RANGED_USD, faceValue: "3.00", referenceId: "iso-1" } });
    expect(same.json.id).not.toBe(id);
    const rot = await call(rotateRoute.POST, `/api/v1/keys/${a.keyId}/rotate`, { key: b.key, params: { id: a.keyId }, body: {} });
    expect(rot.status).toBe(404);
    const keys = await call(keysRoute.GET, "/api/v1/keys", { key: b.key });
    expect(keys.json.data.map((k: any) => k.id)).not.toContain(a.keyId);
    const tx = await call(txRoute.GET, "/api/v1/wallet/transactions", { key: b.key });
    expect(tx.json.data.some((e: any) => e.reference === id)).toBe(false);
    const topups = await call(topupRoute.GET, "/api/v1/wallet/topup-requests", { key: b.key });
    expect(topups.json.data).toEqual([]);
    const usage = await call(usageRoute.GET, "/api/v1/usage", { key: b.key });
    expect(usage.json.totals.orders).toBe(1);
    await flushRequestLog();
    const logs = await call(logsRoute.GET, "/api/v1/logs", { key: b.key, query: { limit: "100" } });
    expect(logs.json.data.every((l: any) => l.keyStart.startsWith(b.key.slice(0, 14)) || l.keyStart.startsWith("stlr_test_"))).toBe(true);
    expect(logs.text).not.toContain(a.key.slice(0, 14));
  });
});

describe("wallet, statement, top-ups and logs", () => {
  it("lists transactions, streams a CSV statement and takes a top-up request", async () => {
    await call(ordersRoute.POST, "/api/v1/orders", { key: a.key, body: { sku: RANGED_USD, faceValue: "2.00", referenceId: "wallet-1" } });
    const tx = await call(txRoute.GET, "/api/v1/wallet/transactions", { key: a.key, query: { limit: "2" } });
    expect(tx.status, tx.text).toBe(200);
    expect(tx.json.data).toHaveLength(2);
    const next = await call(txRoute.GET, "/api/v1/wallet/transactions", { key: a.key, query: { limit: "2", startingAfter: tx.json.nextCursor } });
    expect(next.status, next.text).toBe(200);
    expect(next.json.data[0].id).not.toBe(tx.json.data[0].id);
    const csv = await call(statementRoute.GET, "/api/v1/wallet/statement.csv", {
      key: a.key,
      query: { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.text.split("\r\n")[0]).toBe("date,entry_id,transfer_id,kind,reference,debit,credit,balance,currency");
    expect(csv.headers.get("x-opening-balance")).toBe("0.00");
    const lines = csv.text.trim().split("\r\n");
    expect(lines.length).toBeGreaterThanOrEqual(3); // the grant and the order debit
    expect(lines.at(-1)!.split(",")[7]).toBe(csv.headers.get("x-closing-balance"));
    const tooLong = await call(statementRoute.GET, "/api/v1/wallet/statement.csv", { key: a.key, query: { from: "2020-01-01", to: "2100-01-01" } });
    expect([tooLong.status, tooLong.json.error.param]).toEqual([400, "to"]);
    const topup = await call(topupRoute.POST, "/api/v1/wallet/topup-requests", { key: a.key, body: { amount: "250.00", currency: "usd" } });
    expect(topup.status).toBe(201);
    expect(topup.json).toMatchObject({ status: "pending", amount: "250.0000", currency: "USD" });
  });

  it("records requests in the log asynchronously and lets the partner filter them", async () => {
    await call(catalogRoute.GET, "/api/v1/catalog", { key: a.key, query: { limit: "5" } });
    await call(orderRoute.GET, "/api/v1/orders/ord_nothere", { key: a.key, params: { id: "ord_nothere" } });
    await flushRequestLog();
    const logs = await call(logsRoute.GET, "/api/v1/logs", { key: a.key, query: { status: "404" } });
    expect(logs.json.data[0]).toMatchObject({ method: "GET", path: "/api/v1/orders/ord_nothere", status: 404, errorCode: "resource_not_found" });
  });
});

describe("signup", () => {
  it("creates a partner with a sandbox key and fake USD that can order at once", async () => {
    const r = await call(signupRoute.POST, "/api/v1/public/signup", {
      ip: "192.0.2.10",
      body: { companyName: "Fresh Co", contactName: "Fay Fresh", email: "fay@fresh.test", password: "a-long-password", country: "gb" },
    });
    expect(r.status).toBe(201);
    expect(r.json.apiKey.secret).toMatch(/^stlr_test_/);
    expect(r.json.sandboxBalance).toEqual({ amount: "1000.0000", currency: "USD" });
    const order = await call(ordersRoute.POST, "/api/v1/orders", {
      key: r.json.apiKey.secret,
      body: { sku: RANGED_USD, faceValue: "20.00", referenceId: "first" },
    });
    expect(order.status).toBe(202);
    const dup = await call(signupRoute.POST, "/api/v1/public/signup", {
      ip: "192.0.2.10",
      body: { companyName: "Fresh Co", contactName: "Fay Fresh", email: "FAY@fresh.test", password: "a-long-password", country: "GB" },
    });
    expect([dup.status, dup.json.error.code]).toEqual([409, "email_taken"]);
  });

  it("limits signups per IP", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await call(signupRoute.POST, "/api/v1/public/signup", {
        ip: "192.0.2.77",
        body: { companyName: `Spam ${i}`, contactName: "Spammer", email: `spam${i}@spam.test`, password: "a-long-password", country: "US" },
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});
