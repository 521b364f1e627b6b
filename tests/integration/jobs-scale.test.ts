import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inngest } from "@/server/jobs/client";
import { startEmbeddedWorker } from "@/server/jobs/executor/worker";
import { enqueueEvent } from "@/server/outbox";
import { createDatabase, type Database } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createStepLog, makeTestFunctions } from "../support/jobs-functions";
import { waitFor } from "../support/wait";

let t: TestDatabase;
let second: Database;

beforeAll(async () => {
  t = await createTestDatabase();
  second = createDatabase(t.url, 10);
  await createStepLog(t.sql);
  await t.sql`create table test_intervals (run_id text primary key, account text, started timestamptz, ended timestamptz)`;
});
afterAll(async () => {
  await second?.close();
  await t?.close();
});

const options = { pollMs: 50, backoff: { baseMs: 50, maxMs: 200 }, onError: (e: unknown) => console.error(e) };

describe("embedded executor across workers", () => {
  it("two workers on one database process 200 runs, each exactly once", async () => {
    const fns = makeTestFunctions(t.sql);
    const a = await startEmbeddedWorker({ db: t.db, functions: [fns.oneStep], ...options });
    const b = await startEmbeddedWorker({ db: second.db, functions: [fns.oneStep], ...options });
    try {
      for (let i = 0; i < 4; i++) {
        await enqueueEvent(
          t.db,
          Array.from({ length: 50 }, (_, n) => ({ name: "test/one" as const, data: { n: i * 50 + n } })),
        );
      }
      await waitFor(
        "200 completed runs",
        async () => {
          const [r] = await t.sql<{ n: number }[]>`select count(*)::int as n from job_runs where status = 'completed'`;
          return r!.n === 200;
        },
        30_000,
      );
      const [log] = await t.sql<{ runs: number; max: number }[]>`select count(*)::int as runs, max(n)::int as max from test_step_log where step = 'only'`;
      expect(log).toEqual({ runs: 200, max: 1 });
      const [steps] = await t.sql<{ n: number }[]>`select count(*)::int as n from job_steps`;
      expect(steps!.n).toBe(200);
      expect(a.stats().runsFinished + b.stats().runsFinished).toBe(200);
      expect(a.stats().runsFinished).toBeGreaterThan(0);
      expect(b.stats().runsFinished).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("fires a cron due every second once per tick across two workers", async () => {
    const tick = inngest.createFunction({ id: "test-every-second", triggers: [{ cron: "TZ=Europe/Paris * * * * * *" }] }, async ({ step, runId }) => {
      return step.run("tick", async () => {
        await t.sql`insert into test_step_log (run_id, step, n) values (${runId}, 'tick', 1) on conflict (run_id, step) do update set n = test_step_log.n + 1`;
        return "tick";
      });
    });
    const a = await startEmbeddedWorker({ db: t.db, functions: [tick], ...options });
    const b = await startEmbeddedWorker({ db: second.db, functions: [tick], ...options });
    await new Promise((r) => setTimeout(r, 3500));
    await Promise.all([a.stop(), b.stop()]);
    const runs = await t.sql<{ id: string; tick: string }[]>`
      select id, cron_tick::text as tick from job_runs where function_id = 'steller-test-every-second' order by cron_tick`;
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.length).toBeLessThanOrEqual(4);
    expect(new Set(runs.map((r) => r.tick)).size).toBe(runs.length);
    const times = runs.map((r) => Date.parse(r.tick));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000);
    const ran = await t.sql<{ n: number }[]>`select n from test_step_log where step = 'tick'`;
    expect(ran.every((r) => r.n === 1)).toBe(true);
  });

  it("honours a keyed concurrency limit across two workers", async () => {
    const limited = inngest.createFunction(
      { id: "test-limited", triggers: [{ event: "test/limited" }], concurrency: { limit: 1, key: "event.data.accountId" } },
      async ({ step, runId, event }) => {
        await step.run("work", async () => {
          const started = new Date().toISOString();
          await new Promise((r) => setTimeout(r, 120));
          await t.sql`insert into test_intervals values (${runId}, ${String(event.data.accountId)}, ${started}, ${new Date().toISOString()})`;
        });
      },
    );
    const a = await startEmbeddedWorker({ db: t.db, functions: [limited], ...options });
    const b = await startEmbeddedWorker({ db: second.db, functions: [limited], ...options });
    try {
      await enqueueEvent(t.db, [
        ...Array.from({ length: 4 }, () => ({ name: "test/limited" as const, data: { accountId: "acc-a" } })),
        ...Array.from({ length: 4 }, () => ({ name: "test/limited" as const, data: { accountId: "acc-b" } })),
      ]);
      await waitFor(
        "8 limited runs",
        async () => {
          const [r] = await t.sql<{ n: number }[]>`select count(*)::int as n from job_runs where function_id = 'steller-test-limited' and status = 'completed'`;
          return r!.n === 8;
        },
        20_000,
      );
      const rows = await t.sql<
        { account: string; started: string; ended: string }[]
      >`select account, started::text, ended::text from test_intervals order by started`;
      for (const account of ["acc-a", "acc-b"]) {
        const mine = rows.filter((r) => r.account === account);
        expect(mine).toHaveLength(4);
        for (let i = 1; i < mine.length; i++) expect(Date.parse(mine[i]!.started)).toBeGreaterThanOrEqual(Date.parse(mine[i - 1]!.ended));
      }
      // different keys do run side by side
      const overlap = rows.some((x) =>
        rows.some((y) => x.account !== y.account && Date.parse(x.started) < Date.parse(y.ended) && Date.parse(y.started) < Date.parse(x.ended)),
      );
      expect(overlap).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("throttles run starts per key across two workers", async () => {
    const throttled = inngest.createFunction(
      { id: "test-throttled", triggers: [{ event: "test/throttled" }], throttle: { limit: 2, period: "1s", key: "event.data.accountId" } },
      async ({ step }) => step.run("go", () => "ok"),
    );
    const a = await startEmbeddedWorker({ db: t.db, functions: [throttled], ...options });
    const b = await startEmbeddedWorker({ db: second.db, functions: [throttled], ...options });
    try {
      await enqueueEvent(
        t.db,
        Array.from({ length: 4 }, () => ({ name: "test/throttled" as const, data: { accountId: "acc-t" } })),
      );
      await waitFor(
        "4 throttled runs",
        async () => {
          const [r] = await t.sql<
            { n: number }[]
          >`select count(*)::int as n from job_runs where function_id = 'steller-test-throttled' and status = 'completed'`;
          return r!.n === 4;
        },
        10_000,
      );
      const starts = (
        await t.sql<{ s: string }[]>`select started_at::text as s from job_runs where function_id = 'steller-test-throttled' order by started_at`
      ).map((r) => Date.parse(r.s));
      expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(990);
      expect(starts[3]! - starts[1]!).toBeGreaterThanOrEqual(990);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
