import path from "node:path";
import { assertStartable, EnvError, loadEnv, type Env } from "@/lib/env";
import { getDatabase } from "@/server/db/client";
import { runMigrations } from "@/server/db/migrate";
import { prepareLocal, type LocalSetup } from "./local";
import { buildServices, installProcessServices, type ServiceOverrides, type Services } from "./services";
import { DatabaseWaitError, waitForDatabase } from "./wait-db";

/**
 * What every Steller process does first (the web process and `npm run worker`): local pieces if
 * unconfigured (an embedded PostgreSQL already running on the port is reused, not owned), the
 * environment checked, the database waited for (bounded) and migrated, then the process's
 * services built over the process pool (with `services` overrides: the resilience app server's
 * scaled vendor) and installed, so Next's route handlers and the embedded worker use the same
 * ones. Exits on failure.
 */
export async function bootProcess(opts: {
  dev: boolean;
  services?: ServiceOverrides;
}): Promise<{ env: Env; local: LocalSetup; dataDir: string; services: Services }> {
  if (!process.env.NODE_ENV) (process.env as Record<string, string>).NODE_ENV = opts.dev ? "development" : "production";
  const dataDir = path.resolve(process.env.STELLER_DATA_DIR ?? ".data");
  const local = await prepareLocal({ dataDir });

  let env: Env;
  try {
    env = loadEnv();
    assertStartable(env);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`\n${error.message}\nSee .env.example for every variable.\n`);
      await local.embedded?.stop();
      process.exit(1);
    }
    throw error;
  }

  // A database that is starting, restarting or failing over is waited for (bounded), then migrated.
  try {
    await waitForDatabase(env.DATABASE_URL, { timeoutMs: env.DATABASE_STARTUP_WAIT_MS, log: (line) => console.log(line) });
    await runMigrations(env.DATABASE_URL);
  } catch (error) {
    const message = error instanceof DatabaseWaitError ? error.message : `Database migration failed: ${error instanceof Error ? error.message : String(error)}`;
    console.error(`\n${message}\n`);
    await local.embedded?.stop().catch(() => {});
    process.exit(1);
  }
  const services = buildServices(getDatabase().db, { settings: env, ...opts.services });
  installProcessServices(services);
  return { env, local, dataDir, services };
}
