import { env, type Env } from "@/lib/env";
import type { Environment } from "@/server/catalog/visibility";
import type { Db } from "@/server/db/client";
import { bambooConfigFromEnv, createBambooClient, type BambooClient, type BambooConfig } from "@/server/supplier/bamboo";
import { builtInMockVendorConfig } from "@/server/supplier/mock";

/**
 * What the order engine's background functions work with (`services.orders`, built at boot): the
 * database, the vendor of each environment (the mock vendor for sandbox, and for live when no
 * Bamboo credentials are configured) and ENCRYPTION_KEY. Tests build their own services.
 */
export interface OrderRuntime {
  db: Db;
  vendorFor(environment: Environment): BambooClient;
  encryptionKey: string;
  /** Waits between polls of one order, in ms; after the last, backfill takes over. */
  pollScheduleMs: number[];
  /** How long a vendor batch gathers orders at least (ORDER_BATCH_WINDOW_MS); it also waits for the product's next placement slot. */
  batchWindowMs: number;
  /** True when a shared poller (not the batch's own function) asks the vendor about placed batches. */
  sharedBatchPoller: boolean;
}

export const DEFAULT_BATCH_WINDOW_MS = 200;

export const DEFAULT_POLL_SCHEDULE_MS = [1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 21_000, 30_000, 60_000, 60_000, 120_000, 300_000, 600_000, 900_000];

/**
 * Which vendor each environment buys from. The sandbox always buys from the built-in mock vendor,
 * in-process (it needs no public route, so it works in production with the route disabled); the
 * mock sells every product of the synced catalog at its catalog price, so the sandbox offers what
 * the partner sees live even when that catalog came from the real Bamboo. Live buys from Bamboo
 * when BAMBOO_BASE_URL is set, otherwise from the same mock. Clients are made on first use.
 */
export function vendorSelection(db: Db, config: () => Env = env): (environment: Environment) => BambooClient {
  const clients = new Map<Environment, BambooClient>();
  let mock: BambooConfig | undefined;
  return (environment) => {
    let c = clients.get(environment);
    if (!c) {
      const e = config();
      const live = environment === "live" && e.BAMBOO_BASE_URL;
      c = createBambooClient(db, live ? bambooConfigFromEnv(e) : (mock ??= builtInMockVendorConfig(db, e)));
      clients.set(environment, c);
    }
    return c;
  };
}
