import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { startApp, stopAll, type AppProcess } from "./support/cluster";
import { makeWallets, mulberry32, openDatabase, recordFigures, SEED, SIZE, waitForCatalog, type Wallet } from "./support/load";
import { callByPath, makeContexts, procedurePaths, type Contexts } from "./support/trpc";

const RUNS = SIZE === "full" ? 300 : 60;
const RAW_REQUESTS = SIZE === "full" ? 1_000 : 300;

let app: AppProcess;
let d: Database;
let wallet!: Wallet;
let ctx: Contexts;

beforeAll(async () => {
  // Rate limits out of the way: this file is about input, API4 covers the limits.
  app = await startApp({ name: "fuzz", port: 3405, pgPort: 55475, env: { API_RATE_BURST: "100000", API_RATE_PER_SECOND: "100000" } });
  d = openDatabase(app.databaseUrl);
  await waitForCatalog(d);
  wallet = (await makeWallets(d, 1, "fuzz"))[0]!;
  process.env.DATABASE_URL = app.databaseUrl;
  process.env.ENCRYPTION_KEY = app.secrets.ENCRYPTION_KEY;
  ctx = await makeContexts(d.db);
});
afterAll(async () => {
  await d?.close();
  await stopAll();
});

/** Hostile JSON-ish values: wrong types, huge strings, absurd numbers, prototype tricks. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 2000, maxLength: 10000 }),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.date(),
  fc.constantFrom(-1, 0, 1e308, Number.NaN, Number.POSITIVE_INFINITY, "NaN", "1e9999", "__proto__", null, undefined, true, [], {}),
  fc.constantFrom("ord_x", "ptn_x", "usr_x", "key_x", "'; drop table orders; --", "\u0000", "💳", "../../etc/passwd"),
);
const fields = fc.constantFrom(
  "id",
  "partnerId",
  "userId",
  "limit",
  "cursor",
  "startingAfter",
  "status",
  "amount",
  "currency",
  "email",
  "role",
  "name",
  "markupBps",
  "balance",
  "__proto__",
  "constructor",
);
const input = fc.oneof(
  nasty,
  fc.dictionary(fields, fc.oneof(nasty, fc.dictionary(fields, nasty, { maxKeys: 3 })), { maxKeys: 6 }),
  fc.array(nasty, { maxLength: 5 }),
);

describe("tRPC procedures under random input", () => {
  it("never answer INTERNAL_SERVER_ERROR (or a non-tRPC error) to any caller, whatever the input", async () => {
    const paths = procedurePaths();
    expect(paths.length).toBeGreaterThan(0);
    const who = ["anonymous", "admin", "owner", "developer", "finance", "otherOwner"] as const;
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom(...who), input, async (path, role, value) => {
        const code = await callByPath(ctx[role], path, value);
        outcomes[code] = (outcomes[code] ?? 0) + 1;
        expect(code, `${role} ${path}(${fc.stringify(value).slice(0, 200)})`).not.toMatch(/INTERNAL_SERVER_ERROR|NOT_A_TRPC_ERROR/);
      }),
      { seed: SEED, numRuns: RUNS * paths.length },
    );
    recordFigures("trpc-fuzz", { procedures: paths.length, calls: RUNS * paths.length, outcomes });
  }, 600_000);
});

/** The REST routes and the methods each exports (webhook routes included). */
const ROUTES: Array<[string, string]> = [
  ["GET", "/api/v1/catalog"],
  ["POST", "/api/v1/orders"],
  ["GET", "/api/v1/orders"],
  ["GET", "/api/v1/orders/ord_fuzz"],
  ["GET", "/api/v1/wallet"],
  ["GET", "/api/v1/wallet/transactions"],
  ["GET", "/api/v1/wallet/statement.csv"],
  ["POST", "/api/v1/wallet/topup-requests"],
  ["GET", "/api/v1/wallet/topup-requests"],
  ["GET", "/api/v1/logs"],
  ["GET", "/api/v1/usage"],
  ["GET", "/api/v1/keys"],
  ["POST", "/api/v1/keys/key_fuzz/rotate"],
  ["POST", "/api/v1/keys/key_fuzz/revoke"],
  ["POST", "/api/v1/public/signup"],
  ["GET", "/api/v1/openapi.json"],
  ["GET", "/api/v1/webhook-endpoints"],
  ["POST", "/api/v1/webhook-endpoints"],
  ["GET", "/api/v1/webhook-endpoints/whk_fuzz"],
  ["PATCH", "/api/v1/webhook-endpoints/whk_fuzz"],
  ["DELETE", "/api/v1/webhook-endpoints/whk_fuzz"],
  ["POST", "/api/v1/webhook-endpoints/whk_fuzz/rotate-secret"],
  ["POST", "/api/v1/webhook-endpoints/whk_fuzz/test"],
  ["GET", "/api/v1/webhook-deliveries"],
  ["GET", "/api/v1/webhook-deliveries/wdl_fuzz"],
  ["POST", "/api/v1/webhook-deliveries/wdl_fuzz/replay"],
];

describe("raw HTTP with malformed bodies and headers", () => {
  it("answers every malformed request below 500, each error in the envelope with a request id and no stack trace", async () => {
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const bodies = [
      "",
      "{",
      '{"sku":',
      "null",
      "[]",
      '"str"',
      "1e999999",
      deep,
      `{"a":${"1".repeat(70_000)}}`,
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
      "\u0000\u0001\u0002",
      "\uFFFD\uD800",
      `{"sku":"BAM-990001","faceValue":"5.00","referenceId":"${"r".repeat(200)}"}`,
      '{"sku":"BAM-990001","faceValue":"5.00","quantity":1e400,"referenceId":"x"}',
      '{"url":"javascript:alert(1)","events":["*"]}',
      '{"url":"http://[::1","events":7}',
      "<xml/>",
      "a=1&b=2",
    ];
    const types = [
      undefined,
      "application/json",
      "text/plain",
      "application/json; charset=utf-16",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "json/../../",
    ];
    const keys = [
      wallet.key,
      wallet.key,
      wallet.key,
      undefined,
      "stlr_test_",
      `stlr_live_${"1".repeat(32)}`,
      "x".repeat(8000),
      `${wallet.key} ${wallet.key}`,
      wallet.key.toUpperCase(),
    ];
    const queries = [
      "",
      "?limit=-1",
      "?limit=99999999999999999999",
      "?limit=abc",
      "?startingAfter=%00",
      "?from=yesterday&to=2100-99-99",
      "?status[]=x",
      "?days=1e9",
      "?currency=ΔΔΔ",
      `?${"a=1&".repeat(500)}`,
    ];
    const statuses: Record<string, number> = {};
    const bad: string[] = [];
    for (let i = 0; i < RAW_REQUESTS; i++) {
      const [method, path] = pick(ROUTES);
      const headers: Record<string, string> = {};
      const key = pick(keys);
      if (key && rand() < 0.7) headers["x-api-key"] = key;
      else if (key) headers.authorization = `Bearer ${key}`;
      const type = pick(types);
      if (type) headers["content-type"] = type;
      if (rand() < 0.3) headers["idempotency-key"] = pick(["", "k".repeat(300), "dup", "\t"]);
      if (rand() < 0.2) headers["x-forwarded-for"] = pick(["not-an-ip", "999.1.1.1", "1.1.1.1, 2.2.2.2", "::ffff:zz"]);
      const body = method === "GET" || method === "DELETE" ? undefined : pick(bodies);
      const query = pick(queries);
      const res = await fetch(`${app.url}${path}${query}`, { method, headers, body });
      const text = await res.text();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const desc = `${method} ${path}${query.slice(0, 60)} ${JSON.stringify(headers).slice(0, 120)} ${String(body).slice(0, 60)} → ${res.status} ${text.slice(0, 200)}`;
      if (res.status >= 500) bad.push(desc);
      else if (res.status >= 400) {
        let json: { error?: { code?: unknown; requestId?: unknown } } | null = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        if (typeof json?.error?.code !== "string" || !String(json.error.requestId).startsWith("req_")) bad.push(`not in the envelope: ${desc}`);
        if (/at .*\.(ts|js):\d+|node_modules/.test(text)) bad.push(`stack trace: ${desc}`);
      }
    }
    recordFigures("raw-http-fuzz", { requests: RAW_REQUESTS, statuses });
    expect(bad).toEqual([]);
  }, 600_000);
});
