import type { Database } from "@/server/db/client";

export interface SaturationResult {
  /** Queries that had neither resolved nor rejected when `withinMs` ran out. */
  unsettled: number;
  /** Indexes of good queries that were rejected (upstream issue 1082 rejects one in the bad one's place). */
  goodRejected: number[];
  /** The bad query's error message, or null if it resolved or never settled. */
  badError: string | null;
  ms: number;
}

/**
 * Fills `database`'s pool with `queries` short statements (each holds its connection ~20 ms, so
 * every connection has several in flight or queued), and sends one more in the middle whose
 * parameter cannot be serialised (`undefined`, or a number for a `float8[]` parameter of a
 * statement the connection has already prepared, which reaches the serialiser as a number).
 * Waits at most `withinMs`: a hang is a result, never a stuck test.
 */
export async function saturateWithOneBadParameter(
  database: Pick<Database, "sql">,
  opts: { queries: number; bad: undefined | number; withinMs: number },
): Promise<SaturationResult> {
  const { sql } = database;
  // Prepare the array statement on every connection first, so its parameter types are known and
  // the bad value goes straight to Bind (the path of the bug) rather than after a Describe.
  await Promise.all(Array.from({ length: 8 }, () => sql`select cardinality(${"{1,2}"}::float8[]) as n, pg_sleep(0.005)`));
  const started = performance.now();
  const states: ("pending" | "ok" | "rejected")[] = [];
  const errors: unknown[] = [];
  const track = (i: number, p: Promise<unknown>) => {
    states[i] = "pending";
    return p.then(
      () => void (states[i] = "ok"),
      (e: unknown) => {
        states[i] = "rejected";
        errors[i] = e;
      },
    );
  };
  const badIndex = Math.floor(opts.queries / 2);
  const all: Promise<void>[] = [];
  for (let i = 0; i < opts.queries; i++) {
    if (i === badIndex) {
      const value = opts.bad as unknown as string;
      all.push(track(i, opts.bad === undefined ? sql`select ${value}::int as n` : sql`select cardinality(${value}::float8[]) as n, pg_sleep(0.005)`));
    } else {
      all.push(track(i, sql`select pg_sleep(0.02), ${i}::int as n`));
    }
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(all), new Promise((r) => (timer = setTimeout(r, opts.withinMs)))]);
  clearTimeout(timer);
  const bad = errors[badIndex] as { message?: string; code?: string } | undefined;
  return {
    unsettled: states.filter((s) => s === "pending").length,
    goodRejected: states.flatMap((s, i) => (s === "rejected" && i !== badIndex ? [i] : [])),
    badError: bad ? `${bad.code ?? ""} ${bad.message ?? String(bad)}` : null,
    ms: Math.round(performance.now() - started),
  };
}
