import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type postgres from "postgres";
import { inngest } from "@/server/jobs/client";
import { enqueueEvent } from "@/server/outbox";
import { startEmbeddedWorker, type EmbeddedWorker, type EmbeddedWorkerOptions } from "@/server/jobs/executor/worker";
import { cancelRun, getRun } from "@/server/jobs/runs";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { waitFor } from "../support/wait";

/**
 * Every step ends (issue 12 §1): a step that never settles, a cancelled running run, a bounded
 * stop, and runs behind a full concurrency key, against a real Postgres and the real serve handler.
 */

let t: TestDatabase;
const workers: EmbeddedWorker[] = [];

const never = () => new Promise<never>(() => {});

function makeFunctions(sql: postgres.Sql) {
  const count = async (runId: string, step: string) => {
    const [row] = await sql<{ n: number }[]>`
      insert into test_step_log (run_id, step, n) values (${runId}, ${step}, 1)
      on conflict (run_id, step) do update set n = test_step_log.n + 1 returning n`;
    return row!.n;
  };
  return {
    // Its step never settles the first time it runs, then answers.
    hangOnce: inngest.createFunction({ id: "test-hang-once", triggers: [{ event: "test/hang-once" }], retries: 3 }, async ({ step, runId }) => {
      const before = await step.run("before", () => "ok");
      const n = await step.run("hang", async () => {
        const n = await count(runId, "hang");
        if (n === 1) await never();
        return n;
      });
      return { before, n };
    }),
    // Its step never settles, ever.
    hangAlways: inngest.createFunction({ id: "test-hang-always", triggers: [{ event: "test/hang-always" }], retries: 0 }, async ({ step, runId }) => {
      await step.run("stuck", async () => {
        await count(runId, "stuck");
        return never();
      });
      await step.run("after", () => count(runId, "after"));
    }),
    quick: inngest.createFunction({ id: "test-quick", triggers: [{ event: "test/quick" }], retries: 0 }, async ({ step }) => step.run("q", () => "quick")),
    // One run per key at a time; the first run of a key hangs until its deadline.
    keyed: inngest.createFunction(
      { id: "test-keyed", triggers: [{ event: "test/keyed" }], retries: 0, concurrency: [{ key: "event.data.key", limit: 1 }] },
      async ({ step, event }) =>
        step.run("k", async () => {
          if ((event.data as { hang?: boolean }).hang) await never();
          return (event.data as { key: string }).key;
        }),
    ),
  };
}
let fns: ReturnType<typeof makeFunctions>;

async function start(o: Partial<EmbeddedWorkerOptions> = {}) {
  const w = await startEmbeddedWorker({
    db: t.db,
    functions: Object.values(fns),
    pollMs: 50,
    leaseMs: 3_000,
    backoff: { baseMs: 50, maxMs: 200 },
    stopTimeoutMs: 500,
    onError: (e) => console.error(e),
    ...o,
  });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await t.sql`create table if not exists test_step_log (run_id text, step text, n int not null, primary key (run_id, step))`;
  fns = makeFunctions(t.sql);
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  // Nothing of one test may be picked up by the next one's worker.
  await t.sql`update job_runs set status = 'cancelled' where status in ('queued', 'running', 'sleeping')`;
});
afterAll(async () => {
  await t?.close();
});

async function runOf(eventId: string) {
  return waitFor(`a run of ${eventId}`, async () => {
    const [r] = await t.sql<{ id: string; status: string; claimed_until: string | null; claimed_by: string | null }[]>`
      select id, status, claimed_until, claimed_by from job_runs where event_id = ${eventId}`;
    return r;
  });
}
async function statusOf(runId: string) {
  const [r] = await t.sql<{ status: string }[]>`select status from job_runs where id = ${runId}`;
  return r!.status;
}
async function stepRuns(runId: string, step: string) {
  const [r] = await t.sql<{ n: number }[]>`select n from test_step_log where run_id = ${runId} and step = ${step}`;
  return r?.n ?? 0;
}

describe("step deadlines", () => {
  it("stops waiting for a step that never settles at its deadline, frees the slot, records the attempt and retries with backoff", async () => {
    const w = await start({ maxInFlight: 1, deadlines: { defaultMs: 60_000, functions: { "test-hang-once": { ms: 800 } } } });
    const [hangEvent] = await enqueueEvent(t.db, { name: "test/hang-once" as never, data: {} } as never);
    const hang = await runOf(hangEvent!);
    await waitFor("the hanging step to start", async () => (await stepRuns(hang.id, "hang")) === 1);
    // The only slot is held by the hung step: a second run can start only once it is freed.
    const [quickEvent] = await enqueueEvent(t.db, { name: "test/quick" as never, data: {} } as never);
    const quick = await runOf(quickEvent!);
    await waitFor("the quick run to complete", async () => (await statusOf(quick.id)) === "completed", 10_000);
    await waitFor("the hung run to complete on its retry", async () => (await statusOf(hang.id)) === "completed", 10_000);

    const detail = (await getRun(t.db, hang.id))!;
    expect(detail.output).toEqual({ before: "ok", n: 2 });
    expect(detail.failures).toBe(1);
    const step = detail.steps.find((s) => s.name === "hang")!;
    expect(step.status).toBe("completed");
    expect(step.attemptErrors.map((e) => e.message)).toEqual(["step hang of steller-test-hang-once exceeded its deadline of 800 ms"]);
    expect(w.stats()).toMatchObject({ deadlinesExceeded: 1, inFlight: 0 });
  });

  it("applies a step's own deadline from the moment the handler starts it", async () => {
    const w = await start({ deadlines: { defaultMs: 60_000, functions: { "test-hang-once": { ms: 60_000, steps: { hang: 600 } } } } });
    const [eventId] = await enqueueEvent(t.db, { name: "test/hang-once" as never, data: {} } as never);
    const run = await runOf(eventId!);
    await waitFor("the run to complete", async () => (await statusOf(run.id)) === "completed", 10_000);
    const step = (await getRun(t.db, run.id))!.steps.find((s) => s.name === "hang")!;
    expect(step.attemptErrors.map((e) => e.message)).toEqual(["step hang of steller-test-hang-once exceeded its deadline of 600 ms"]);
    expect(w.stats().deadlinesExceeded).toBe(1);
  });

  it("renews the lease only up to the step's deadline and a grace to record its outcome", async () => {
    // The lease (1.5 s) is renewed every 500 ms, but never past the deadline (2 s after the step
    // started) and one renewal period (500 ms) of grace to record the failed attempt.
    await start({ leaseMs: 1_500, deadlines: { defaultMs: 60_000, functions: { "test-hang-always": { steps: { stuck: 2_000 } } } } });
    const [eventId] = await enqueueEvent(t.db, { name: "test/hang-always" as never, data: {} } as never);
    const run = await runOf(eventId!);
    await waitFor("the stuck step to start", async () => (await stepRuns(run.id, "stuck")) === 1, 5_000, 10);
    const startedAt = Date.now();
    let latest = 0;
    for (;;) {
      const [r] = await t.sql<{ until: string | null }[]>`select claimed_until as until from job_runs where id = ${run.id} and status = 'running'`;
      if (!r) break;
      if (r.until) latest = Math.max(latest, Date.parse(r.until));
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(latest).toBeGreaterThan(0);
    // Without the cap the last renewal before the deadline would reach ~3.5 s after the start.
    expect(latest - startedAt).toBeLessThan(2_900);
    // And the lease outlives the deadline: the worker records the failed attempt under its own
    // claim before anyone may take the run again (ending with the deadline, the run could be
    // claimed at that moment and retried at once, the attempt lost).
    expect(latest - startedAt).toBeGreaterThan(2_200);
    await waitFor("the run to fail at its deadline", async () => (await statusOf(run.id)) === "failed", 10_000);
    const [r] = await t.sql<{ error: { message: string } }[]>`select error from job_runs where id = ${run.id}`;
    expect(r!.error.message).toBe("step stuck of steller-test-hang-always exceeded its deadline of 2 s");
    expect(await stepRuns(run.id, "after")).toBe(0);
  });
});

describe("cancelling and stopping", () => {
  it("cancels a running run: its worker stops waiting, frees its slot and writes nothing more", async () => {
    const w = await start({ maxInFlight: 1, leaseMs: 1_500, deadlines: { defaultMs: 60_000 } });
    const [eventId] = await enqueueEvent(t.db, { name: "test/hang-always" as never, data: {} } as never);
    const run = await runOf(eventId!);
    await waitFor("the stuck step to start", async () => (await stepRuns(run.id, "stuck")) === 1);
    expect(await cancelRun(t.db, run.id)).toEqual({ ok: true });
    await waitFor("the worker to free its slot", async () => w.stats().inFlight === 0, 5_000);
    // The slot serves other runs again.
    const [quickEvent] = await enqueueEvent(t.db, { name: "test/quick" as never, data: {} } as never);
    const quick = await runOf(quickEvent!);
    await waitFor("the quick run to complete", async () => (await statusOf(quick.id)) === "completed", 5_000);
    expect(await statusOf(run.id)).toBe("cancelled");
    expect(await stepRuns(run.id, "after")).toBe(0);
    expect(await cancelRun(t.db, run.id)).toMatchObject({ ok: false, reason: "not_cancellable", status: "cancelled" });
  });

  it("stop() is bounded: a run stuck in a step is left for another worker, which takes it after its lease", async () => {
    const first = await start({ leaseMs: 2_000, stopTimeoutMs: 500, deadlines: { defaultMs: 60_000 } });
    const [eventId] = await enqueueEvent(t.db, { name: "test/hang-once" as never, data: {} } as never);
    const run = await runOf(eventId!);
    await waitFor("the hanging step to start", async () => (await stepRuns(run.id, "hang")) === 1);
    const t0 = Date.now();
    await first.stop();
    expect(Date.now() - t0).toBeLessThan(2_500);
    const [left] = await t.sql<{ status: string; claimed_by: string }[]>`select status, claimed_by from job_runs where id = ${run.id}`;
    expect(left!.status).toBe("running");
    expect(left!.claimed_by.startsWith(`${first.id}/`)).toBe(true);
    await start({ leaseMs: 2_000 });
    await waitFor("another worker to finish the run", async () => (await statusOf(run.id)) === "completed", 10_000);
    expect(await stepRuns(run.id, "hang")).toBe(2);
  });
});

describe("claiming", () => {
  it("a full concurrency key does not crowd runnable runs of other keys out of the claim", async () => {
    await start({ maxInFlight: 2, deadlines: { defaultMs: 60_000 } });
    // Key A: one run holds the key's only slot (its step hangs), twenty more wait behind it.
    const [first] = await enqueueEvent(t.db, { name: "test/keyed" as never, data: { key: "A", hang: true } } as never);
    const a = await runOf(first!);
    await waitFor("A's first run to hold the key", async () => (await statusOf(a.id)) === "running");
    await enqueueEvent(t.db, Array.from({ length: 20 }, () => ({ name: "test/keyed", data: { key: "A" } })) as never);
    await waitFor("A's runs to be queued", async () => {
      const [r] = await t.sql<{ n: number }[]>`select count(*)::int as n from job_runs where function_id = 'steller-test-keyed' and concurrency_key = 'A'`;
      return r!.n === 21;
    });
    // Key B's run is younger than all of A's: it must still get the free slot at once.
    const [bEvent] = await enqueueEvent(t.db, { name: "test/keyed" as never, data: { key: "B" } } as never);
    const b = await runOf(bEvent!);
    await waitFor("B's run to complete", async () => (await statusOf(b.id)) === "completed", 5_000);
  });
});

describe("outbound slots", () => {
  const hang = () => enqueueEvent(t.db, { name: "test/hang-always" as never, data: {} } as never);
  const quick = async () => runOf((await enqueueEvent(t.db, { name: "test/quick" as never, data: {} } as never))[0]!);
  const running = async () => {
    const [r] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from job_runs where function_id = 'steller-test-hang-always' and status = 'running' and claimed_until > now()`;
    return r!.n;
  };

  it("runs of outbound functions that hang hold only their own slots: other runs still start", async () => {
    await start({ maxInFlight: 1, outbound: { functions: ["test-hang-always"], maxInFlight: 2 }, deadlines: { defaultMs: 60_000 } });
    for (let i = 0; i < 3; i++) await hang();
    await waitFor("two hanging runs, the outbound slots full", async () => (await running()) === 2);
    const q = await quick();
    await waitFor("the other run to complete beside them", async () => (await statusOf(q.id)) === "completed", 5_000);
    // The third hanging run waits for an outbound slot, not for the other one.
    expect(await running()).toBe(2);
  });

  it("without them, a hanging run holds the only slot and the other run waits", async () => {
    await start({ maxInFlight: 1, deadlines: { defaultMs: 60_000 } });
    await hang();
    await waitFor("the hanging run to hold the slot", async () => (await running()) === 1);
    const q = await quick();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await statusOf(q.id)).toBe("queued");
  });

  it("refuses an outbound function that is not registered", async () => {
    await expect(start({ outbound: { functions: ["no-such-function"], maxInFlight: 1 } })).rejects.toThrow(/no-such-function/);
  });
});
