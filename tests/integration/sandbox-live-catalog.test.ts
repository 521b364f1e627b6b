/**
 * The sandbox when a real Bamboo is configured: the catalog is synced from the live vendor (here a
 * second mock vendor, with its own database and products the built-in mock does not have, standing
 * in for Bamboo over HTTP), and sandbox orders of those products complete through the built-in
 * mock, chosen by the app's own vendor selection (`vendorSelection`), at the catalog's price, with
 * the mock's magic values.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/boot/services";
import { decryptSecret } from "@/lib/crypto";
import { loadEnv, type Env } from "@/lib/env";
import { syncCatalog } from "@/server/catalog/sync";
import { listPartnerCatalog } from "@/server/catalog/visibility";
import { catalogProducts, mockVendorOrders, mockVendorProducts, orderCards, orders, vendorCalls } from "@/server/db/schema";
import { startEmbeddedWorker, type EmbeddedWorker } from "@/server/jobs/executor/worker";
import { orderEngineFunctions } from "@/server/jobs/functions/orders";
import { placementRequestId } from "@/server/orders/batch";
import { grantSandboxFunds } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { vendorSelection } from "@/server/orders/runtime";
import type { Environment } from "@/server/catalog/visibility";
import type { BambooClient } from "@/server/supplier/bamboo";
import { countMockCheckoutAttempts, countMockOrders, mockCard, seedMockCatalog, seedMockVendor } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";
import { MOCK_CREDENTIALS, startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";
import { TEST_KEY } from "../support/order-engine";
import { testServices } from "../support/services";
import { waitFor } from "../support/wait";

let app: TestDatabase; // the app's database (catalog, orders, the built-in mock's state)
let bambooDb: TestDatabase; // the "live" vendor's own state
let bamboo: MockVendorServer;
let env: Env;
let vendorFor: (environment: Environment) => BambooClient;
let worker: EmbeddedWorker | undefined;
let services: Services;
let partnerId: string;

const modifiedDate = new Date(Date.UTC(2026, 9, 1));
const text = { description: "A live brand.", disclaimer: null, redemptionInstructions: null, terms: null, logoUrl: null };
/** Products the built-in mock does not sell; 100001 collides with one of its own (a fixed denomination there). */
const LIVE = {
  ranged: 8_800_001, // 1–500, cost 97%
  fixed40: 8_800_002, // 40 only, cost 90%
  failing: 8_800_003, // ranged, for the magic .66
  outOfStock: 8_800_004, // ranged, for the magic .13
  partial: 8_800_005, // ranged, for the magic .50 × 4
  answerLost: 8_800_006, // ranged, for the magic .55
  colliding: 100_001, // ranged 5–200 live; fixed at the built-in mock
};
const liveCatalog = {
  brands: [
    { internalId: "LIVE-US-1", position: 1, name: "Harbourlight Books", countryCode: "US", currencyCode: "USD", modifiedDate, ...text },
    { internalId: "LIVE-US-2", position: 2, name: "Kestrel Outdoor", countryCode: "US", currencyCode: "USD", modifiedDate, ...text },
  ],
  products: [
    {
      id: LIVE.ranged,
      brandId: "LIVE-US-1",
      name: "Harbourlight 1-500",
      minFaceValue: "1",
      maxFaceValue: "500",
      costFactor: "0.97",
      priceCurrency: "USD",
      modifiedDate,
    },
    {
      id: LIVE.fixed40,
      brandId: "LIVE-US-1",
      name: "Harbourlight 40",
      minFaceValue: "40",
      maxFaceValue: "40",
      costFactor: "0.9",
      priceCurrency: "USD",
      modifiedDate,
    },
    ...[LIVE.failing, LIVE.outOfStock, LIVE.partial, LIVE.answerLost].map((id) => ({
      id,
      brandId: "LIVE-US-2",
      name: `Kestrel ${id} 1-300`,
      minFaceValue: "1",
      maxFaceValue: "300",
      costFactor: "0.95",
      priceCurrency: "USD",
      modifiedDate,
    })),
    {
      id: LIVE.colliding,
      brandId: "LIVE-US-2",
      name: "Kestrel 5-200",
      minFaceValue: "5",
      maxFaceValue: "200",
      costFactor: "0.96",
      priceCurrency: "USD",
      modifiedDate,
    },
  ],
};

beforeAll(async () => {
  app = await createTestDatabase(20);
  bambooDb = await createTestDatabase(5);
  await seedMockVendor(bambooDb.db, { catalog: false }); // its funding accounts
  await seedMockCatalog(bambooDb.db, liveCatalog);
  // The "real Bamboo": a mock vendor with its own database, over HTTP, that knows only its own catalog.
  bamboo = await startMockVendorServer(bambooDb.db, { autoSeed: false, rateLimits: false, fulfilMs: 300 });
  env = loadEnv({
    NODE_ENV: "test",
    DATABASE_URL: app.url,
    AUTH_SECRET: "s".repeat(40),
    ENCRYPTION_KEY: TEST_KEY,
    // Nothing listens here: the sandbox must reach the built-in mock in-process, not over HTTP.
    APP_URL: "http://127.0.0.1:9",
    BAMBOO_BASE_URL: bamboo.baseUrl,
    BAMBOO_CLIENT_ID: MOCK_CREDENTIALS.clientId,
    BAMBOO_CLIENT_SECRET: MOCK_CREDENTIALS.clientSecret,
    BAMBOO_ACCOUNT_ID: "1001",
    MOCK_VENDOR_FULFIL_MS: "300",
  });
  vendorFor = vendorSelection(app.db, () => env);
  services = testServices(app, { settings: env, vendorFor, encryptionKey: TEST_KEY, orders: { pollScheduleMs: Array.from({ length: 30 }, () => 1_000) } });
  await syncCatalog(app.db, vendorFor("live").catalogPages());
  worker = await startEmbeddedWorker({
    db: app.db,
    services: () => services,
    functions: orderEngineFunctions,
    pollMs: 25,
    maxInFlight: 16,
    backoff: { baseMs: 50, maxMs: 400 },
    onError: (e) => console.error("[worker]", e),
  });
  partnerId = await makePartner(app.db, "Sandbox Partner");
  await grantSandboxFunds(app.db, partnerId);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await bamboo?.close();
  await bambooDb?.close();
  await app?.close();
});

let ref = 0;
async function order(sku: string, faceValue: string, quantity = 1) {
  const { order } = await createOrder(app.db, { partnerId, environment: "sandbox", sku, faceValue, quantity, referenceId: `live-cat-${++ref}`, actor: "test" });
  return order;
}
const settled = (orderId: string) =>
  waitFor(
    `order ${orderId} to finish`,
    async () => {
      const [o] = await app.db.select().from(orders).where(eq(orders.id, orderId));
      return o && (o.status === "completed" || o.status === "failed") ? o : null;
    },
    30_000,
  );
const sku = (id: number) => `BAM-${id}`;

describe("the sandbox against a catalog synced from a real (stand-in) Bamboo", () => {
  it("uses the live vendor for live and the built-in mock for the sandbox; the catalog is the live vendor's", async () => {
    expect(vendorFor("live")).not.toBe(vendorFor("sandbox"));
    const synced = await app.db.select({ sku: catalogProducts.sku }).from(catalogProducts);
    expect(synced.map((p) => p.sku).sort()).toEqual(Object.values(LIVE).map(sku).sort());
    // The sandbox partner sees exactly the live products.
    const visible = await listPartnerCatalog(app.db, partnerId, "sandbox", { limit: 100 });
    expect(visible.data.map((p: { sku: string }) => p.sku).sort()).toEqual(Object.values(LIVE).map(sku).sort());
  });

  it("completes a sandbox order of a product only the live vendor has, through the built-in mock, at the catalog price", async () => {
    const o = await order(sku(LIVE.ranged), "37.00", 2);
    const done = await settled(o.id);
    expect(done.status).toBe("completed");
    expect(done.cardsDelivered).toBe(2);
    const cards = await app.db.select().from(orderCards).where(eq(orderCards.orderId, o.id)).orderBy(orderCards.position);
    const requestId = (await placementRequestId(app.db, o.id))!; // its vendor batch's
    expect(cards.map((c) => decryptSecret(c.codeEncrypted, TEST_KEY))).toEqual(cards.map((c) => mockCard(requestId, c.batchPosition!).code));
    // Bought once from the built-in mock (the app's database), never from the live vendor.
    expect(await countMockOrders(app.db, requestId)).toBe(1);
    expect(await countMockOrders(bambooDb.db)).toBe(0);
    // At the catalog's price: 37.00 × 0.97 = 35.89 a card.
    const [mockOrder] = await app.db.select().from(mockVendorOrders).where(eq(mockVendorOrders.requestId, requestId));
    expect(mockOrder!.items).toEqual([{ productId: LIVE.ranged, faceValue: "37", quantity: 2, unitPrice: "35.89", delivered: 2 }]);
    expect(mockOrder!.total).toBe("71.7800");
    expect(o.vendorCost).toBe("71.7800"); // what the order expected to pay
    expect(o.currency).toBe("USD");
    // Every call went to the built-in mock in-process (its address resolves nowhere; APP_URL, port 9, would refuse the connection).
    const calls = await app.db.select().from(vendorCalls).where(eq(vendorCalls.requestId, requestId));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const c of calls) expect([c.account, c.status]).toEqual(["bamboo:builtin-mock-vendor.invalid:steller-mock-client", 200]);
    // The built-in mock's own catalog never had this product.
    expect(await app.db.select().from(mockVendorProducts).where(eq(mockVendorProducts.id, LIVE.ranged))).toEqual([]);
  });

  it("sells a live fixed denomination, and a live product whose id the built-in mock uses for another product", async () => {
    const [own] = await app.db.select().from(mockVendorProducts).where(eq(mockVendorProducts.id, LIVE.colliding));
    expect(own!.minFaceValue).toBe(own!.maxFaceValue); // fixed at the mock, so 123.45 would be InvalidDenomination there
    const [fixed, colliding] = await Promise.all([order(sku(LIVE.fixed40), "40.00"), order(sku(LIVE.colliding), "123.45")]);
    expect((await settled(fixed.id)).status).toBe("completed");
    const done = await settled(colliding.id);
    expect(done.status).toBe("completed");
    expect(done.failureCode).toBeNull();
  });

  it("applies the magic values to live products: failed after acceptance, out of stock, partial, answer lost", async () => {
    const [fails, stock, partial, lost] = await Promise.all([
      order(sku(LIVE.failing), "10.66"),
      order(sku(LIVE.outOfStock), "10.13"),
      order(sku(LIVE.partial), "10.50", 4),
      order(sku(LIVE.answerLost), "10.55"),
    ]);
    const failed = await settled(fails.id);
    expect(failed.status).toBe("failed");
    expect(failed.refundedAmount).toBe(fails.totalPrice);
    const refused = await settled(stock.id);
    expect(refused.status).toBe("failed");
    expect(refused.failureCode).toBe("out_of_stock");
    expect(await countMockOrders(app.db, (await placementRequestId(app.db, stock.id))!)).toBe(0);
    const half = await settled(partial.id);
    expect(half.status).toBe("completed");
    expect(half.cardsDelivered).toBe(2);
    const answered = await settled(lost.id);
    expect(answered.status).toBe("completed");
    const lostId = (await placementRequestId(app.db, lost.id))!;
    expect(await countMockCheckoutAttempts(app.db, lostId)).toBe(2); // 500 after buying, then OrderAlreadyExists
    expect(await countMockOrders(app.db, lostId)).toBe(1);
  });

  it("refuses a product the live vendor stopped listing, even where the mock has its own product of that id", async () => {
    const o = await order(sku(LIVE.colliding), "150.00");
    // The next sync deactivates it after the order was taken, before the mock is asked.
    await worker!.stop();
    worker = undefined;
    await app.db
      .update(catalogProducts)
      .set({ active: false })
      .where(eq(catalogProducts.sku, sku(LIVE.colliding)));
    worker = await startEmbeddedWorker({
      db: app.db,
      services: () => services,
      functions: orderEngineFunctions,
      pollMs: 25,
      maxInFlight: 16,
      backoff: { baseMs: 50, maxMs: 400 },
    });
    const done = await settled(o.id);
    expect(done.status).toBe("failed");
    expect(done.failureCode).toBe("product_not_available");
    expect(done.refundedAmount).toBe(o.totalPrice);
  });
});
