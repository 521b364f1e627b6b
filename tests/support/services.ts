import { loadEnv } from "@/lib/env";
import { buildServices, type ServiceOverrides, type Services } from "@/server/boot/services";
import type { TestDatabase } from "./db";

/**
 * A test's own services over its database (src/server/boot/services.ts): the settings are the
 * test environment's (vitest.config.ts) with DATABASE_URL pointing at `t`, and anything else the
 * test needs is an override — a vendor client, an encryption key, the poll schedule, the webhook
 * sender's retry schedule or resolver… Hand them to the worker the test starts
 * (`startEmbeddedWorker({ services: () => services })`), to a tRPC caller (`{ services, db:
 * services.db, … }`), or to the route handlers it calls (`bindAppDatabase(t, overrides)` installs
 * them as the process's). Nothing global is configured.
 */
export function testServices(t: Pick<TestDatabase, "db" | "url">, over: ServiceOverrides = {}): Services {
  const settings = over.settings ?? loadEnv({ ...process.env, DATABASE_URL: t.url });
  return buildServices(t.db, { ...over, settings });
}
