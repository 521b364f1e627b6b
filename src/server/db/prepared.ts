import { PostgresJsSession } from "drizzle-orm/postgres-js";
import type postgres from "postgres";

/*
 * Prepared statements: the one patch of drizzle's internals, kept alone in this file and guarded
 * by tests/integration/db-prepared.test.ts (which counts pg_prepared_statements, so it fails if a
 * drizzle upgrade renames the method or changes what it passes on).
 *
 * drizzle-orm 0.45 (postgres-js/session.js) runs every query with `client.unsafe(query, params,
 * { prepare: name !== undefined })`, and postgres.js 3.4 (src/connection.js) lets that per-query
 * option override the client's `prepare: true`. So every query drizzle did not get a name for is
 * sent unprepared: PostgreSQL parses and plans it every time, and a query with parameters costs two
 * round trips (describe, then bind and execute). Giving every query an (empty) name makes
 * postgres.js prepare it once per connection and reuse it.
 *
 * No supported way exists in drizzle 0.45.4 / postgres 3.4.9 (searched their docs and issues):
 * - `postgres(url, { prepare: true })` (postgres.js's default) is overridden per query, as above:
 *   drizzle-orm issue 6096 (open, "postgres.js adapter ignores client-level prepare: true for
 *   regular queries"), with the fix proposed in pull request 6098 (open, not released).
 * - `.prepare("name")` on a query builder (orm.drizzle.team/docs/perf-queries) does prepare, but
 *   only the one query it is called on: every query of the app would need a hand-made name, and
 *   `db.execute(sql\`…\`)` has no `.prepare()`. (Issue 5502 on the same driver is labelled fixed
 *   in the 1.0 beta, not in 0.45.)
 * Remove this file when a released drizzle passes the client's `prepare` option through.
 *
 * Turned off by DATABASE_PREPARED_STATEMENTS=false (PgBouncer in transaction mode, which cannot
 * keep a statement between transactions).
 */
let preparedStatements = true;

type AnySession = PostgresJsSession<postgres.Sql, Record<string, never>, never>;
const prepareQuery: AnySession["prepareQuery"] | undefined = PostgresJsSession.prototype.prepareQuery;
if (typeof prepareQuery !== "function") {
  throw new Error("drizzle-orm: PostgresJsSession.prototype.prepareQuery is gone; see src/server/db/prepared.ts");
}
PostgresJsSession.prototype.prepareQuery = function (this: AnySession, query, fields, name, ...rest) {
  return prepareQuery.call(this, query, fields, name ?? (preparedStatements ? "" : undefined), ...rest);
} as AnySession["prepareQuery"];

/** Process-wide: whether drizzle's queries are prepared (see above). */
export function setPreparedStatements(on: boolean): void {
  preparedStatements = on;
}
