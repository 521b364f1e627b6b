import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { createDatabase } from "./client";

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), "drizzle");

/** Applies every migration under drizzle/ that the database has not seen yet. */
export async function runMigrations(url: string): Promise<void> {
  const database = createDatabase(url, 1);
  try {
    await database.sql`set client_min_messages = warning`;
    await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await database.close();
  }
}
