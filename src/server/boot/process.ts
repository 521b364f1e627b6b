import path from "node:path";
import { assertStartable, EnvError, loadEnv, type Env } from "@/lib/env";
import { runMigrations } from "@/server/db/migrate";
import { prepareLocal, type LocalSetup } from "./local";
import { DatabaseWaitError, waitForDatabase } from "./wait-db";

/**
 * What every Steller process does first (the web process and `npm run worker`): local pieces if
 * unconfigured (an embedded PostgreSQL already running on the port is reused, not owned), the
 * environment checked, the database waited for (bounded) and migrated. Exits on failure.
 */
export async function bootProcess(opts: { dev: boolean }): Promise<{ env: Env; local: LocalSetup; dataDir: string }> {
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
  return { env, local, dataDir };
}
