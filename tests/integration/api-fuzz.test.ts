import fc from "fast-check";
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
import * as deliveriesRoute from "@/app/api/v1/webhook-deliveries/route";
import * as deliveryRoute from "@/app/api/v1/webhook-deliveries/[id]/route";
import * as replayRoute from "@/app/api/v1/webhook-deliveries/[id]/replay/route";
import * as endpointsRoute from "@/app/api/v1/webhook-endpoints/route";
import * as endpointRoute from "@/app/api/v1/webhook-endpoints/[id]/route";
import * as rotateSecretRoute from "@/app/api/v1/webhook-endpoints/[id]/rotate-secret/route";
import * as testEventRoute from "@/app/api/v1/webhook-endpoints/[id]/test/route";
import { syncCatalog } from "@/server/catalog/sync";
import { createApiKey } from "@/server/keys";
import { grantSandboxFunds } from "@/server/ledger";
import { createBambooClient } from "@/server/supplier/bamboo";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";
import { startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";

type Handler = Parameters<typeof call>[0];

let t: TestDatabase;
let vendor: MockVendorServer;
let key: string;

beforeAll(async () => {
  process.env.API_RATE_BURST = "100000";
  process.env.API_RATE_PER_SECOND = "100000";
  t = await createTestDatabase(10);
  bindAppDatabase(t);
  vendor = await startMockVendorServer(t.db);
  await syncCatalog(t.db, createBambooClient(t.db, vendor.clientConfig({ limits: { catalogMs: 0 } })).catalogPages());
  const partnerId = await makePartner(t.db, "Fuzz");
  await grantSandboxFunds(t.db, partnerId);
  key = (await createApiKey(t.db, { partnerId, environment: "sandbox", actor: "fuzz" })).secret;
});
afterAll(async () => {
  await vendor?.close();
  await t?.close();
});

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Hostile JSON values: wrong types, huge strings, absurd numbers, prototype tricks. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 5000, maxLength: 20000 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    -1,
    0,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    "NaN",
    "Infinity",
    "-0",
    "1e9999",
    "0x10",
    "  25 ",
    "25.00001",
    "__proto__",
    null,
    true,
    [],
    {},
  ),
  fc.constantFrom("ord_x", "key_x", `ord_${"a".repeat(40)}`, "../../etc/passwd", "'; drop table orders; --", "\u0000", "💳"),
);
const fieldNames = fc.constantFrom(
  "url",
  "events",
  "enabled",
  "sku",
  "faceValue",
  "quantity",
  "referenceId",
  "amount",
  "currency",
  "note",
  "overlapSeconds",
  "companyName",
  "contactName",
  "email",
  "password",
  "country",
  "balance",
  "discount",
  "__proto__",
  "constructor",
);
const body = fc.oneof(fc.dictionary(fieldNames, nasty, { maxKeys: 6 }), nasty);
const query = fc.dictionary(
  fc.constantFrom("limit", "startingAfter", "status", "from", "to", "currency", "brand", "country", "referenceId", "days", "method", "path", "x"),
  fc.string({ maxLength: 30 }).map(String),
  { maxKeys: 4 },
);
const idParam = fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom("ord_01abc", "key_01abc", "whk_01abc", "whd_01abc", "", `ord_${"z".repeat(41)}`));

const endpoints: Array<{ name: string; handler: Handler; method: string; path: string; withBody?: boolean; withId?: boolean; public?: boolean }> = [
  { name: "GET catalog", handler: catalogRoute.GET, method: "GET", path: "/api/v1/catalog" },
  { name: "POST orders", handler: ordersRoute.POST, method: "POST", path: "/api/v1/orders", withBody: true },
  { name: "GET orders", handler: ordersRoute.GET, method: "GET", path: "/api/v1/orders" },
  { name: "GET order", handler: orderRoute.GET, method: "GET", path: "/api/v1/orders/x", withId: true },
  { name: "GET wallet", handler: walletRoute.GET, method: "GET", path: "/api/v1/wallet" },
  { name: "GET transactions", handler: txRoute.GET, method: "GET", path: "/api/v1/wallet/transactions" },
  { name: "GET statement", handler: statementRoute.GET, method: "GET", path: "/api/v1/wallet/statement.csv" },
  { name: "POST topup", handler: topupRoute.POST, method: "POST", path: "/api/v1/wallet/topup-requests", withBody: true },
  { name: "GET logs", handler: logsRoute.GET, method: "GET", path: "/api/v1/logs" },
  { name: "GET usage", handler: usageRoute.GET, method: "GET", path: "/api/v1/usage" },
  { name: "GET keys", handler: keysRoute.GET, method: "GET", path: "/api/v1/keys" },
  { name: "POST rotate", handler: rotateRoute.POST, method: "POST", path: "/api/v1/keys/x/rotate", withBody: true, withId: true },
  { name: "POST signup", handler: signupRoute.POST, method: "POST", path: "/api/v1/public/signup", withBody: true, public: true },
  { name: "POST webhook endpoint", handler: endpointsRoute.POST, method: "POST", path: "/api/v1/webhook-endpoints", withBody: true },
  { name: "GET webhook endpoints", handler: endpointsRoute.GET, method: "GET", path: "/api/v1/webhook-endpoints" },
  { name: "GET webhook endpoint", handler: endpointRoute.GET, method: "GET", path: "/api/v1/webhook-endpoints/x", withId: true },
  { name: "PATCH webhook endpoint", handler: endpointRoute.PATCH, method: "PATCH", path: "/api/v1/webhook-endpoints/x", withBody: true, withId: true },
  { name: "DELETE webhook endpoint", handler: endpointRoute.DELETE, method: "DELETE", path: "/api/v1/webhook-endpoints/x", withId: true },
  { name: "POST rotate secret", handler: rotateSecretRoute.POST, method: "POST", path: "/api/v1/webhook-endpoints/x/rotate-secret", withId: true },
  { name: "POST test event", handler: testEventRoute.POST, method: "POST", path: "/api/v1/webhook-endpoints/x/test", withId: true },
  { name: "GET webhook deliveries", handler: deliveriesRoute.GET, method: "GET", path: "/api/v1/webhook-deliveries" },
  { name: "GET webhook delivery", handler: deliveryRoute.GET, method: "GET", path: "/api/v1/webhook-deliveries/x", withId: true },
  { name: "POST replay", handler: replayRoute.POST, method: "POST", path: "/api/v1/webhook-deliveries/x/replay", withId: true },
];

describe("fuzzing every endpoint", () => {
  for (const ep of endpoints) {
    it(`${ep.name}: hostile input gets a 4xx in the error envelope, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(body, query, idParam, fc.boolean(), async (b, q, id, raw) => {
          const r = await call(ep.handler, ep.path, {
            method: ep.method,
            key: ep.public ? undefined : key,
            query: q,
            params: ep.withId ? { id } : {},
            ip: `198.51.100.${Math.floor(Math.random() * 250)}`,
            ...(ep.withBody ? (raw ? { rawBody: typeof b === "string" ? b : JSON.stringify(b).slice(0, -1) } : { body: b }) : {}),
          });
          expect(r.status, `${ep.name} ${r.text.slice(0, 300)}`).toBeLessThan(500);
          if (r.status >= 400) {
            expect(r.json?.error?.code, r.text.slice(0, 200)).toEqual(expect.any(String));
            expect(r.json.error.requestId).toMatch(/^req_/);
            expect(r.text).not.toMatch(/at .*\.ts:\d+|node_modules/);
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }, 120_000);
  }
});
