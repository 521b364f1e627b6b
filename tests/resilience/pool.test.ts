import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, poolStats, type Database } from "@/server/db/client";
import { startLocalPostgres, type LocalPostgres } from "@/server/db/embedded";
import { mulberry32, percentile, recordFigures, round, SEED, SIZE } from "./support/load";

/**
 * Scenario (b) of issue 12: a saturated pool with bad parameters among the queries → nothing hangs.
 *
 * In process, on purpose: the fault (postgres.js issue 1082: a parameter that cannot be serialised,
 * sent while the connection has other queries in flight, rejects one of those and never settles
 * itself, wedging the connection) lives in the driver and pool of one process. This file drives the
 * app's own pool (`createDatabase` with the app's options and defaults) directly, so it can put
 * thousands of operations through 4 connections at once (50× oversubscribed), with bad parameters at
 * known places (plain queries, and inside transactions next to concurrent good queries, where a
 * reserved connection would pipeline them) and check every single operation's outcome and time.
 * Driving an app process over HTTP could only inject such a parameter through a test hook, at a
 * far lower rate, and could only see the symptom (a stuck order) long after the fact.
 *
 * Every operation must settle within BOUND_MS; every good one succeeds, every bad one rejects (only
 * itself); each committed transaction's row is there exactly once (no query ran in another's
 * transaction); afterwards the pool is idle and answers.
 */

const OPS = SIZE === "full" ? 30_000 : 3_000;
const WAVE = 200; // operations in flight at once, on a pool of POOL
const POOL = 4;
const BAD_EVERY = 50; // one operation in 50 carries a bad parameter
const BOUND_MS = 60_000;
const PG_PORT = 55479;

let pg: LocalPostgres;
let d: Database;

beforeAll(async () => {
  pg = await startLocalPostgres({ dir: `.data/resilience-pool-pg-${PG_PORT}`, port: PG_PORT, fresh: true });
  await pg.createDatabase("pool_scenario");
  d = createDatabase(pg.urlFor("pool_scenario"), POOL);
  await d.sql`create table pool_rows (id int primary key, at timestamptz not null default now())`;
});
afterAll(async () => {
  await d?.close();
  await pg?.stop();
});

type Kind = "query" | "transaction" | "reservation" | "bad-undefined" | "bad-array" | "bad-in-transaction";
interface Outcome {
  kind: Kind;
  ok: boolean;
  ms: number;
  error?: string;
}

async function operation(i: number, kind: Kind): Promise<void> {
  const s = d.sql;
  switch (kind) {
    case "query":
      await s`select pg_sleep(0.001), ${i}::int as n`;
      return;
    case "transaction":
      await d.db.transaction(async (tx) => {
        await tx.execute(sql`insert into pool_rows (id) values (${i})`);
        const [row] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from pool_rows where id = ${i}`);
        if (row!.n !== 1) throw new Error(`transaction ${i} does not see its own row`);
      });
      return;
    case "reservation": {
      const r = await s.reserve();
      try {
        await r`select ${i}::int as n`;
        await r`select pg_sleep(0.001)`;
      } finally {
        r.release();
      }
      return;
    }
    case "bad-undefined":
      await s`select ${undefined as unknown as string}::int as n`;
      return;
    case "bad-array":
      // A number where a float8[] parameter is expected: serialised as a number, refused by the socket.
      await s`select cardinality(${12.5 as unknown as string}::float8[]) as n`;
      return;
    case "bad-in-transaction":
      // Three queries at once in one transaction (postgres.js would pipeline them on its connection), the middle one bad.
      await d.db.transaction(async (tx) => {
        await Promise.all([
          tx.execute(sql`insert into pool_rows (id) values (${i})`),
          tx.execute(sql`select ${sql.param(undefined)}::int`),
          tx.execute(sql`select pg_sleep(0.001)`),
        ]);
      });
      return;
  }
}

describe("(b) a saturated pool with bad parameters", () => {
  it("settles every operation: good ones succeed, bad ones reject, no connection is wedged", async () => {
    // Prepare the float8[] statement on every connection, so a bad value meets the serialiser directly.
    await Promise.all(Array.from({ length: POOL * 2 }, () => d.sql`select cardinality(${"{1}"}::float8[]) as n`));
    const random = mulberry32(SEED);
    const kinds: Kind[] = Array.from({ length: OPS }, (_, i) => {
      if (i % BAD_EVERY === BAD_EVERY - 1) return (["bad-undefined", "bad-array", "bad-in-transaction"] as const)[Math.floor(random() * 3)]!;
      const x = random();
      return x < 0.6 ? "query" : x < 0.9 ? "transaction" : "reservation";
    });
    const outcomes: (Outcome | undefined)[] = new Array(OPS);
    let maxWaiting = 0;
    const sampler = setInterval(() => (maxWaiting = Math.max(maxWaiting, poolStats(d.sql)?.waiting ?? 0)), 20);
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < OPS) {
        const i = next++;
        const t0 = performance.now();
        try {
          await operation(i, kinds[i]!);
          outcomes[i] = { kind: kinds[i]!, ok: true, ms: performance.now() - t0 };
        } catch (e) {
          const cause = (e as { cause?: { message?: string } }).cause?.message;
          outcomes[i] = { kind: kinds[i]!, ok: false, ms: performance.now() - t0, error: `${(e as Error).message} ${cause ?? ""}` };
        }
      }
    };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(Array.from({ length: WAVE }, worker)), new Promise((r) => (timer = setTimeout(r, BOUND_MS)))]);
    clearTimeout(timer);
    clearInterval(sampler);
    const elapsed = performance.now() - started;

    const settled = outcomes.filter((o): o is Outcome => o !== undefined);
    const bad = settled.filter((o) => o.kind.startsWith("bad"));
    const good = settled.filter((o) => !o.kind.startsWith("bad"));
    const goodFailed = good.filter((o) => !o.ok);
    const badSucceeded = bad.filter((o) => o.ok);
    const committed = kinds.filter((k, i) => k === "transaction" && outcomes[i]?.ok).length;
    const [rows] = await d.db.execute<{ n: number; stray: number }>(
      sql`select count(*)::int as n, count(*) filter (where id % ${BAD_EVERY} = ${BAD_EVERY - 1})::int as stray from pool_rows`,
    );
    const ms = settled.map((o) => o.ms);
    const figures = {
      operations: OPS,
      pool: POOL,
      inFlight: WAVE,
      badParameters: kinds.filter((k) => k.startsWith("bad")).length,
      unsettled: OPS - settled.length,
      goodFailed: goodFailed.length,
      badSucceeded: badSucceeded.length,
      transactionsCommitted: committed,
      rows: rows!.n,
      seconds: round(elapsed / 1000),
      opsPerSecond: Math.round(settled.length / (elapsed / 1000)),
      p50Ms: round(percentile(ms, 50)),
      p99Ms: round(percentile(ms, 99)),
      maxMs: round(Math.max(...ms)),
      maxWaitingForConnection: maxWaiting,
    };
    recordFigures("pool-bad-parameter", figures);

    expect(figures.unsettled, "operations that never settled").toBe(0);
    expect(goodFailed.slice(0, 3), "good operations that failed").toEqual([]);
    expect(badSucceeded, "bad operations that succeeded").toEqual([]);
    for (const o of bad) expect(o.error).toMatch(/Undefined values|must be of type string|ERR_INVALID_ARG_TYPE|argument/i);
    // Every committed transaction left its row, and no bad transaction left one.
    expect(rows!.n).toBe(committed);
    expect(rows!.stray).toBe(0);
    // Afterwards: nothing held, nothing waiting, and the pool answers.
    expect(poolStats(d.sql)).toMatchObject({ size: POOL, inUse: 0, waiting: 0 });
    const [one] = await d.sql<{ n: number }[]>`select 1::int as n`;
    expect(one!.n).toBe(1);
  });
});
