import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { createDatabase } from "./client";

const MIGRATIONS_FOLDER = path.resolve(process.cwd(), "drizzle");

/**
 * Applies every migration under drizzle/ that the database has not seen yet. Without the app's
 * statement timeout: a migration (an index on a large table, a backfill) may rightly take longer,
 * and it runs once, at start-up, before anything is served.
 */
export async function runMigrations(url: string): Promise<void> {
  const database = createDatabase(url, 1, { statementTimeoutMs: 0, applicationName: "steller-migrate" });
  try {
    await database.sql`set client_min_messages = warning`;
    await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await database.close();
  }
}
