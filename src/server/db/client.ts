import { drizzle, PostgresJsSession, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
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

/*
 * Prepared statements. drizzle runs every query it did not get a name for with postgres.js's
 * `prepare: false`, and postgres.js sends such a query with parameters in two round trips
 * (describe, then bind and execute) and PostgreSQL parses and plans it every time. Giving every
 * query an (empty) name makes postgres.js prepare it once per connection and reuse it: one round
 * trip per query, no re-planning. Turned off by DATABASE_PREPARED_STATEMENTS=false (PgBouncer in
 * transaction mode, which cannot keep a statement between transactions).
 */
let preparedStatements = true;
type AnySession = PostgresJsSession<postgres.Sql, Record<string, never>, never>;
const prepareQuery: AnySession["prepareQuery"] = PostgresJsSession.prototype.prepareQuery;
PostgresJsSession.prototype.prepareQuery = function (this: AnySession, query, fields, name, ...rest) {
  return prepareQuery.call(this, query, fields, name ?? (preparedStatements ? "" : undefined), ...rest);
} as AnySession["prepareQuery"];

/** Process-wide: whether queries are prepared (see above). */
export function usePreparedStatements(on: boolean): void {
  preparedStatements = on;
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
    usePreparedStatements(e.DATABASE_PREPARED_STATEMENTS);
    globalForDb.__stellerDb = createDatabase(e.DATABASE_URL, e.DATABASE_POOL_SIZE);
  }
  return globalForDb.__stellerDb;
}

export function getDb(): Db {
  return getDatabase().db;
}
