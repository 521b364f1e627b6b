import type { InngestFunction } from "inngest";
import { installProcessServices, type ServiceOverrides, type Services } from "@/server/boot/services";
import { syncCatalog } from "@/server/catalog/sync";
import { startEmbeddedWorker, type EmbeddedWorker } from "@/server/jobs/executor/worker";
import { orderEngineFunctions } from "@/server/jobs/functions/orders";
import { grantSandboxFunds } from "@/server/ledger";
import { createOrder, type Order } from "@/server/orders/create";
import { createBambooClient, type BambooClient, type BambooConfig } from "@/server/supplier/bamboo";
import { MOCK_RATE_LIMITS, type MockVendorOptions, productPlacementLimit } from "@/server/supplier/mock";
import type { TestDatabase } from "./db";
import { makePartner } from "./factories";
import { startMockVendorServer, type MockVendorServer } from "./mock-vendor-server";
import { testServices } from "./services";

export const TEST_KEY = `${"0".repeat(63)}1`;
/** The mock vendor's ranged USD test product (1–1000), priced in USD. */
export const RANGED_USD = "BAM-990001";
export const FIXED_25_USD = "BAM-990002";

export interface OrderEngine {
  vendor: MockVendorServer;
  client: BambooClient;
  /** The engine's services: the test database, the mock vendor's client for both environments, TEST_KEY, 1 s polls. */
  services: Services;
  worker: EmbeddedWorker | null;
  startWorker(): Promise<EmbeddedWorker>;
  stopWorker(): Promise<void>;
  /** A partner with a sandbox wallet holding the USD grant. */
  sandboxPartner(name?: string): Promise<string>;
  /**
   * Sandbox orders of the ranged USD product through `createOrder`, references `<prefix>-1`, `-2`…;
   * with `{ join: true }` as the app's callers make them (joining their vendor batch in the statement).
   */
  orderMaker(prefix: string, opts?: { join?: boolean }): (partnerId: string, faceValue: string, quantity?: number) => Promise<Order>;
  stop(): Promise<void>;
}

/**
 * The order engine for a test: the mock vendor over real HTTP, the real Bamboo client (limits
 * as given), the synced catalog, and an embedded worker running the fulfil and vendor-batch functions.
 * Its services become the process's (after `bindAppDatabase`, which it replaces).
 */
export async function startOrderEngine(
  t: TestDatabase,
  opts: {
    mock?: Partial<MockVendorOptions>;
    limits?: Partial<BambooConfig["limits"]>;
    retry?: Partial<BambooConfig["retry"]>;
    pollScheduleMs?: number[];
    /**
     * Bamboo's per-product placement limit at this spacing: the mock refuses placements of a product
     * closer than that (one of slack), and our client spaces them so. Default: none.
     */
    productSpacingMs?: number;
    /** The vendor batch's gathering window (ms); default 50. */
    batchWindowMs?: number;
    functions?: InngestFunction.Any[];
    maxInFlight?: number;
    /** More overrides of the engine's services (webhook sender, email…). */
    services?: Omit<ServiceOverrides, "vendorFor" | "encryptionKey">;
  } = {},
): Promise<OrderEngine> {
  const spacing = opts.productSpacingMs;
  const vendor = await startMockVendorServer(t.db, {
    fulfilMs: 400,
    ...(spacing ? { rateLimits: { ...MOCK_RATE_LIMITS, place_order_product: productPlacementLimit(60_000 / spacing) } } : {}),
    ...opts.mock,
  });
  const limits = { catalogMs: 0, otherMs: 0, ...(spacing ? { placeOrderPerProductMs: spacing } : {}), ...opts.limits };
  const client = createBambooClient(t.db, vendor.clientConfig({ limits, retry: opts.retry }));
  const services = testServices(t, {
    ...opts.services,
    vendorFor: () => client,
    encryptionKey: TEST_KEY,
    orders: {
      // Inngest sleeps have a resolution of one second.
      pollScheduleMs: opts.pollScheduleMs ?? Array.from({ length: 30 }, () => 1_000),
      batchWindowMs: opts.batchWindowMs ?? 50,
      ...opts.services?.orders,
    },
  });
  // The app's services in this process too: route handlers and tRPC callers over t.db order with
  // them, so the vendor batches they open are of the account this engine places and polls with
  // (as in the app, where every process builds its services from the same settings).
  installProcessServices(services);
  await syncCatalog(t.db, client.catalogPages());
  const engine: OrderEngine = {
    vendor,
    client,
    services,
    worker: null,
    async startWorker() {
      engine.worker = await startEmbeddedWorker({
        db: t.db,
        services: () => services,
        functions: opts.functions ?? orderEngineFunctions,
        pollMs: 25,
        maxInFlight: opts.maxInFlight ?? 32,
        backoff: { baseMs: 50, maxMs: 400 },
        onError: (e) => console.error("[worker]", e),
      });
      return engine.worker;
    },
    async stopWorker() {
      await engine.worker?.stop();
      engine.worker = null;
    },
    async sandboxPartner(name = "Sandbox Partner") {
      const partnerId = await makePartner(t.db, name);
      await grantSandboxFunds(t.db, partnerId);
      return partnerId;
    },
    orderMaker(prefix, opts = {}) {
      let seq = 0;
      return async (partnerId, faceValue, quantity = 1) => {
        const input = { partnerId, environment: "sandbox" as const, sku: RANGED_USD, faceValue, quantity, referenceId: `${prefix}-${++seq}`, actor: "test" };
        return (await createOrder(t.db, input, opts.join ? services.orders : undefined)).order;
      };
    },
    async stop() {
      await engine.stopWorker();
      await vendor.close();
    },
  };
  await engine.startWorker();
  return engine;
}
