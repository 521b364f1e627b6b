import { env } from "@/lib/env";
import type { Environment } from "@/server/catalog/visibility";
import { getDb, type Db } from "@/server/db/client";
import { bambooConfigFromEnv, createBambooClient, type BambooClient } from "@/server/vendor/bamboo";

/**
 * What the order engine's background functions work with. By default: the process database,
 * the vendor from the environment (the mock vendor for sandbox, and for live when no Bamboo
 * credentials are configured) and ENCRYPTION_KEY. Tests and benchmarks configure their own.
 */
export interface OrderRuntime {
  db: Db;
  vendorFor(environment: Environment): BambooClient;
  encryptionKey: string;
  /** Waits between polls of one order, in ms; after the last, backfill takes over. */
  pollScheduleMs: number[];
}

export const DEFAULT_POLL_SCHEDULE_MS = [
  1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 21_000, 30_000, 60_000, 60_000, 120_000, 300_000, 600_000, 900_000,
];

let configured: Partial<OrderRuntime> = {};
let cached: OrderRuntime | undefined;

export function configureOrderRuntime(overrides: Partial<OrderRuntime>): void {
  configured = overrides;
  cached = undefined;
}

export function orderRuntime(): OrderRuntime {
  if (cached) return cached;
  const db = configured.db ?? getDb();
  const clients = new Map<Environment, BambooClient>();
  const defaultVendorFor = (environment: Environment) => {
    let c = clients.get(environment);
    if (!c) {
      // The sandbox always reaches the mock vendor; live reaches Bamboo when it is configured.
      const e = env();
      const config = bambooConfigFromEnv(environment === "sandbox" ? { ...e, BAMBOO_BASE_URL: undefined } : e);
      c = createBambooClient(db, config);
      clients.set(environment, c);
    }
    return c;
  };
  cached = {
    db,
    vendorFor: configured.vendorFor ?? defaultVendorFor,
    encryptionKey: configured.encryptionKey ?? env().ENCRYPTION_KEY,
    pollScheduleMs: configured.pollScheduleMs ?? DEFAULT_POLL_SCHEDULE_MS,
  };
  return cached;
}
