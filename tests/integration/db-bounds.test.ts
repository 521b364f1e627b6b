import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, DatabaseBusyError, isDatabaseUnavailable, type Database } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { saturateWithOneBadParameter } from "../support/pool-probe";

let t: TestDatabase;
const opened: Database[] = [];
const open = (...args: Parameters<typeof createDatabase>) => {
  const d = createDatabase(...args);
  opened.push(d);
  return d;
};
beforeAll(async () => {
  t = await createTestDatabase(2);
  await t.sql`create sequence bounds_probe`;
});
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("every query ends", () => {
  // postgres.js 3.4.9, upstream issue 1082. Without the gate (acquire timeout 0), so only
  // max_pipeline stands between the pool and the bug: with pipelining on this test fails (the
  // bad query never settles, and a good one is rejected in its place).
  it("settles every query of a saturated pool when one query has a parameter that cannot be sent", async () => {
    const d = open(t.url, 2, { acquireTimeoutMs: 0 });
    for (const bad of [undefined, 12.5] as const) {
      const r = await saturateWithOneBadParameter(d, { queries: 60, bad, withinMs: 10_000 });
      expect(r.unsettled, `unsettled queries (bad = ${String(bad)})`).toBe(0);
      expect(r.goodRejected, `good queries rejected (bad = ${String(bad)})`).toEqual([]);
      expect(r.badError).toMatch(bad === undefined ? /UNDEFINED_VALUE|Undefined values/ : /ERR_INVALID_ARG_TYPE|must be of type string/);
    }
    // The connections are not wedged: a query after the storm answers.
    const [row] = await d.sql<{ n: number }[]>`select 1::int as n`;
    expect(row!.n).toBe(1);
  });

  it("does the same with the app's defaults (pool gate on)", async () => {
    const d = open(t.url, 2);
    const r = await saturateWithOneBadParameter(d, { queries: 60, bad: undefined, withinMs: 10_000 });
    expect(r.unsettled).toBe(0);
    expect(r.goodRejected).toEqual([]);
  });

  it("never prints a failed query's parameters when its error is logged", async () => {
    const d = open(t.url, 1);
    const { inspect } = await import("node:util");
    const secret = "4111-1111-SECRET-CODE";
    // Division by zero: PostgreSQL's message does not echo the parameter (drizzle's own wrapper does, in its message).
    const outside = await d.sql`select ${secret}::text as s, 1 / 0 as n`.catch((e: unknown) => e);
    const inside = await d.db.transaction(async (tx) => tx.execute(sql`select ${secret}::text as s, 1 / 0 as n`)).catch((e: unknown) => e);
    for (const e of [outside, (inside as { cause?: unknown }).cause]) {
      expect((e as { code?: string }).code).toBe("22012");
      expect(e).toBeTruthy();
      expect(inspect(e, { depth: 0 })).not.toContain(secret);
      expect(JSON.stringify(e)).not.toContain(secret);
    }
  });

  it("cancels a statement that runs past statement_timeout, and the pool goes on", async () => {
    const d = open(t.url, 1, { statementTimeoutMs: 200 });
    const started = performance.now();
    const error = await d.db.execute(sql`select pg_sleep(5)`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(JSON.stringify((error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code)).toContain("57014");
    const [row] = await d.db.execute<{ n: number }>(sql`select 2::int as n`);
    expect(row!.n).toBe(2);
  });

  it("ends a transaction left idle past idle_in_transaction_session_timeout, and the pool goes on", async () => {
    const d = open(t.url, 1, { idleInTransactionTimeoutMs: 300 });
    const error = await d.db
      .transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await sleep(1_000);
        await tx.execute(sql`select 1`);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).not.toBeNull();
    expect(isDatabaseUnavailable(error)).toBe(true);
    const [row] = await d.db.execute<{ n: number }>(sql`select 3::int as n`);
    expect(row!.n).toBe(3);
  });

  it("gives up waiting for a connection after the acquire timeout, without sending the query", async () => {
    const d = open(t.url, 1, { acquireTimeoutMs: 300 });
    let inside!: () => void;
    const holding = new Promise<void>((r) => (inside = r));
    const tx = d.db.transaction(async (q) => {
      await q.execute(sql`select 1`);
      inside();
      await sleep(1_200);
    });
    await holding;
    const started = performance.now();
    const [query, txWait, reserveWait] = await Promise.allSettled([
      d.db.execute(sql`select nextval('bounds_probe')`),
      d.db.transaction(async (q) => q.execute(sql`select nextval('bounds_probe')`)),
      d.sql.reserve(),
    ]);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1_000);
    for (const r of [query, txWait, reserveWait]) {
      expect(r.status).toBe("rejected");
      const reason = (r as PromiseRejectedResult).reason as unknown;
      expect(isDatabaseUnavailable(reason)).toBe(true);
      const busy = reason instanceof DatabaseBusyError ? reason : (reason as { cause?: unknown }).cause;
      expect(busy).toBeInstanceOf(DatabaseBusyError);
    }
    await tx;
    // None of the three was sent: the sequence was never advanced.
    const [seq] = await d.db.execute<{ is_called: boolean }>(sql`select is_called from bounds_probe`);
    expect(seq!.is_called).toBe(false);
    // The place is free again.
    const [row] = await d.db.execute<{ n: number }>(sql`select 4::int as n`);
    expect(row!.n).toBe(4);
  });
});
