import postgres from "postgres";

/**
 * The app's statements, as PostgreSQL's `pg_stat_statements` counts them (the bench's PostgreSQL
 * preloads it): how many round trips an order costs, beside the CPU it costs. The bench's own
 * pool connects as another role, so its polling is not counted.
 */
export interface StatementCounts {
  /** Statements other than begin / commit / rollback. */
  statements: number;
  /** Commits: transactions of more than one statement. */
  transactions: number;
}

export interface StatementCounter {
  reset(): Promise<void>;
  /** Since the last reset; null when the extension is not there. */
  read(): Promise<StatementCounts | null>;
}

const OBSERVER = "bench_observer";

/**
 * Creates the extension and the bench's own role in the app's database (as the app's user, a
 * superuser of the embedded PostgreSQL), and returns the URL the bench's pool should use, and
 * the counter, which reads through that pool. Without the extension: the app's URL and no counter.
 */
export async function statementCounting(appUrl: string): Promise<{ benchUrl: string; counter: (sql: postgres.Sql) => StatementCounter | null }> {
  const admin = postgres(appUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`create extension if not exists pg_stat_statements`;
    await admin.unsafe(
      `do $$ begin if not exists (select 1 from pg_roles where rolname = '${OBSERVER}') then create role ${OBSERVER} login superuser password '${OBSERVER}'; end if; end $$`,
    );
  } catch {
    return { benchUrl: appUrl, counter: () => null };
  } finally {
    await admin.end();
  }
  const appRole = decodeURIComponent(new URL(appUrl).username);
  const bench = new URL(appUrl);
  bench.username = OBSERVER;
  bench.password = OBSERVER;
  return {
    benchUrl: bench.toString(),
    counter: (sql) => ({
      async reset() {
        await sql`select pg_stat_statements_reset()`;
      },
      async read() {
        const [row] = await sql<{ statements: string; transactions: string }[]>`
          select coalesce(sum(s.calls) filter (where lower(s.query) not in ('begin', 'commit', 'rollback')), 0)::text as statements,
                 coalesce(sum(s.calls) filter (where lower(s.query) = 'commit'), 0)::text as transactions
          from pg_stat_statements s join pg_roles r on r.oid = s.userid
          where r.rolname = ${appRole}`;
        return row ? { statements: Number(row.statements), transactions: Number(row.transactions) } : null;
      },
    }),
  };
}
