import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** A transaction handle; domain functions accept `Db | Tx` so callers can compose them. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

/** Opens a pool to `url`. Tests and scripts use this directly; the app uses `getDb()`. */
export function createDatabase(url: string, max = 10): Database {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    // numeric and bigint stay strings: money is never a JS number.
    types: {},
    connection: { application_name: "steller" },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

const globalForDb = globalThis as unknown as { __stellerDb?: Database };

/** The process-wide database (one pool per process, survives dev hot reloads). */
export function getDatabase(): Database {
  if (!globalForDb.__stellerDb) {
    const e = env();
    globalForDb.__stellerDb = createDatabase(e.DATABASE_URL, e.DATABASE_POOL_SIZE);
  }
  return globalForDb.__stellerDb;
}

export function getDb(): Db {
  return getDatabase().db;
}
