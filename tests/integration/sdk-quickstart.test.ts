import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSteller, StellerError, unwrap } from "@steller/sdk";
import { orderEngineFunctions } from "@/server/jobs/functions/orders";
import { bindAppDatabase } from "../support/app";
import { serveApi } from "../support/api-http";
import { createTestDatabase, type TestDatabase } from "../support/db";
import type { ServedHandler } from "../support/mock-vendor-server";
import { startOrderEngine, type OrderEngine } from "../support/order-engine";
import { quickstart } from "../../docs/samples/quickstart";

// The docs' TypeScript quickstart (docs/samples/quickstart.ts, shown on /docs) run as written,
// through the typed SDK, against the app's own route handlers over real HTTP: sign up → catalog →
// order → poll → card. The SDK's types come from the OpenAPI document the app serves.

let t: TestDatabase;
let engine: OrderEngine;
let api: ServedHandler;

beforeAll(async () => {
  process.env.STELLER_REQUEST_LOG = "off";
  t = await createTestDatabase(10);
  bindAppDatabase(t);
  // Every function of the order path (fulfilment and whatever else it grows).
  engine = await startOrderEngine(t, { functions: orderEngineFunctions });
  api = await serveApi();
});
afterAll(async () => {
  await api?.close();
  await engine?.stop();
  await t?.close();
});

describe("the quickstart through the SDK", () => {
  it("signs up, reads the catalog, orders a card and gets it completed with a code, paid from the sandbox wallet", async () => {
    const { signup, product, order, card } = await quickstart(api.origin);

    expect(signup.apiKey.secret).toMatch(/^stlr_test_/);
    expect(product.sku).toBeTruthy();
    expect(order).toMatchObject({ object: "order", status: "completed", environment: "sandbox", referenceId: "order-1001", quantity: 1, cardsDelivered: 1 });
    expect(card?.code).toMatch(/^TEST-/);

    // The same order and the wallet, seen through the SDK with the key the signup returned.
    const steller = createSteller({ baseUrl: api.origin, apiKey: signup.apiKey.secret });
    const again = await unwrap(steller.GET("/api/v1/orders/{id}", { params: { path: { id: order.id } } }));
    expect(again.cards?.[0]?.code).toBe(card?.code);
    const found = await unwrap(steller.GET("/api/v1/orders", { params: { query: { referenceId: "order-1001" } } }));
    expect(found.data.map((o) => o.id)).toEqual([order.id]);

    const wallets = await unwrap(steller.GET("/api/v1/wallet"));
    const wallet = wallets.data.find((w) => w.currency === order.currency);
    expect(wallet).toBeDefined();
    expect(signup.sandboxBalance.currency).toBe(order.currency);
    expect(new Decimal(wallet!.balance).toFixed(4)).toBe(new Decimal(signup.sandboxBalance.amount).minus(order.totalPrice).toFixed(4));
  });

  it("turns an API error into a StellerError with the API's code, and a wrong key into 401", async () => {
    const bad = createSteller({ baseUrl: api.origin, apiKey: `stlr_test_${"0".repeat(32)}` });
    const e = await unwrap(bad.GET("/api/v1/wallet")).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StellerError);
    expect(e).toMatchObject({ status: 401, type: "authentication_error" });
    expect((e as StellerError).requestId).toMatch(/^req_/);
  });
});
