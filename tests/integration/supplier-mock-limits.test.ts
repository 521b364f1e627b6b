import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOCK_ACCOUNT_ID } from "@/server/supplier/bamboo";
import { countMockOrders, MOCK_PRODUCT_PLACEMENT_LIMIT, MOCK_RATE_LIMITS, MOCK_TEST_PRODUCTS, mockVendorOptionsFromEnv } from "@/server/supplier/mock";
import { loadEnv } from "@/lib/env";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { MOCK_CREDENTIALS, startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";

/**
 * The mock vendor enforces Bamboo's real limits over HTTP (raw requests, no client spacing):
 * 2 placements a second per account, about 6 placements a minute per product, 500 cards per
 * placement, 120 get-order calls a minute per account.
 */
let t: TestDatabase;
let mock: MockVendorServer;
const auth = `Basic ${Buffer.from(`${MOCK_CREDENTIALS.clientId}:${MOCK_CREDENTIALS.clientSecret}`).toString("base64")}`;
const { ranged: RANGED, fixed25: FIXED } = MOCK_TEST_PRODUCTS.USD;

beforeAll(async () => {
  t = await createTestDatabase(4);
  // Per product as Bamboo: 6 a minute (burst 2). Per account: place-order generous here, so the
  // per-product bucket is what answers; the per-account buckets are tested on their own server below.
  mock = await startMockVendorServer(t.db, {
    fulfilMs: 0,
    rateLimits: { ...MOCK_RATE_LIMITS, place_order: { perSecond: 100, burst: 100 }, place_order_product: MOCK_PRODUCT_PLACEMENT_LIMIT },
  });
});
afterAll(async () => {
  await mock?.close();
  await t?.close();
});

function place(server: MockVendorServer, products: Array<{ id: number; quantity: number; value: string }>, requestId: string = randomUUID()) {
  return fetch(`${server.baseUrl}/api/integration/v1.0/orders/checkout`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({
      RequestId: requestId,
      AccountId: MOCK_ACCOUNT_ID,
      Products: products.map((p) => ({ ProductId: p.id, Quantity: p.quantity, Value: Number(p.value) })),
    }),
  });
}

const getOrder = (server: MockVendorServer, requestId: string) =>
  fetch(`${server.baseUrl}/api/integration/v1.0/orders/${requestId}`, { headers: { authorization: auth } });

describe("the mock vendor's per-product placement limit", () => {
  it("takes two placements of a product back to back, then answers 429 with the wait in the message; other products are unaffected", async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await place(mock, [{ id: RANGED, quantity: 1, value: "5" }]));
    expect(answers.slice(0, 2).map((r) => r.status)).toEqual([200, 200]);
    const refused = answers[2]!;
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { message: string };
    // 6 a minute: the next token of this product is about 10 s away.
    const wait = Number(/Please wait for (\d+) seconds/.exec(body.message)?.[1]);
    expect(wait).toBeGreaterThanOrEqual(9);
    expect(wait).toBeLessThanOrEqual(10);
    // Another product of the same account still places.
    expect((await place(mock, [{ id: FIXED, quantity: 1, value: "25" }])).status).toBe(200);
  });

  it("refuses an order of several products when any of them is over its limit, and buys nothing", async () => {
    const requestId = randomUUID();
    const r = await place(
      mock,
      [
        { id: FIXED, quantity: 1, value: "25" },
        { id: RANGED, quantity: 1, value: "5" },
      ],
      requestId,
    );
    expect(r.status).toBe(429);
    expect(await countMockOrders(t.db, requestId)).toBe(0);
  });

  it("is on in the built-in mock at 6 a minute (MOCK_VENDOR_PRODUCT_PLACEMENTS_PER_MINUTE), scaled with MOCK_VENDOR_RATE_SCALE, and off at 0", () => {
    const base = { DATABASE_URL: "postgres://x/y", AUTH_SECRET: "a".repeat(32), ENCRYPTION_KEY: "0".repeat(64) };
    const perProduct = (vars: Record<string, string>) => {
      const limits = mockVendorOptionsFromEnv(loadEnv({ ...base, ...vars })).rateLimits;
      return limits ? limits.place_order_product : "all limits off";
    };
    expect(perProduct({})).toEqual({ perSecond: 0.1, burst: 2 });
    expect(perProduct({ MOCK_VENDOR_RATE_SCALE: "50" })).toEqual({ perSecond: 5, burst: 100 });
    expect(perProduct({ MOCK_VENDOR_PRODUCT_PLACEMENTS_PER_MINUTE: "0" })).toBeUndefined();
  });
});

describe("the mock vendor's 500-card cap", () => {
  it("places 500 cards in one order and refuses 501 (also across products) with 400 CardsLimitExceeded, buying nothing", async () => {
    const server = await startMockVendorServer(t.db, { fulfilMs: 0, rateLimits: false, autoSeed: false });
    try {
      const over = randomUUID();
      const r = await place(server, [{ id: RANGED, quantity: 501, value: "1" }], over);
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ message: "CardsLimitExceeded" });
      expect(await countMockOrders(t.db, over)).toBe(0);

      const split = randomUUID();
      const r2 = await place(
        server,
        [
          { id: RANGED, quantity: 300, value: "1" },
          { id: FIXED, quantity: 201, value: "25" },
        ],
        split,
      );
      expect(r2.status).toBe(400);
      expect(await r2.json()).toEqual({ message: "CardsLimitExceeded" });

      const full = randomUUID();
      const ok = await place(server, [{ id: RANGED, quantity: 500, value: "1" }], full);
      expect(ok.status).toBe(200);
      const order = (await (await getOrder(server, full)).json()) as { status: string; items: Array<{ cards: unknown[] }> };
      expect(order.status).toBe("Succeeded");
      expect(order.items[0]!.cards).toHaveLength(500);
    } finally {
      await server.close();
    }
  });
});

describe("the mock vendor's per-account limits", () => {
  it("answers 429 to a third placement within a second (2 a second, one of slack), and to get-order beyond its burst of 10 at 2 a second (120 a minute)", async () => {
    const server = await startMockVendorServer(t.db, {
      fulfilMs: 0,
      rateLimits: MOCK_RATE_LIMITS,
      autoSeed: false,
      clientId: "acct-limits",
      clientSecret: MOCK_CREDENTIALS.clientSecret,
    });
    const own = `Basic ${Buffer.from(`acct-limits:${MOCK_CREDENTIALS.clientSecret}`).toString("base64")}`;
    try {
      const statuses: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const id = randomUUID();
        ids.push(id);
        const r = await fetch(`${server.baseUrl}/api/integration/v1.0/orders/checkout`, {
          method: "POST",
          headers: { authorization: own, "content-type": "application/json" },
          body: JSON.stringify({ RequestId: id, AccountId: MOCK_ACCOUNT_ID, Products: [{ ProductId: RANGED, Quantity: 1, Value: 5 }] }),
        });
        statuses.push(r.status);
      }
      // Burst 3 (2 a second + one of slack): the 4th back to back is refused.
      expect(statuses.slice(0, 3).every((s) => s === 200 || s === 400)).toBe(true);
      expect(statuses[3]).toBe(429);

      const polls: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < 14; i++)
        polls.push((await fetch(`${server.baseUrl}/api/integration/v1.0/orders/${ids[0]}`, { headers: { authorization: own } })).status);
      const elapsedS = (performance.now() - t0) / 1000;
      const allowed = polls.filter((s) => s !== 429).length;
      // 10 of burst plus 2 a second for the time the loop took.
      expect(allowed).toBeLessThanOrEqual(10 + Math.ceil(2 * elapsedS) + 1);
      expect(polls).toContain(429);
    } finally {
      await server.close();
    }
  });
});
