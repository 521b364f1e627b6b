import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueEvent } from "@/server/outbox";
import { startEmbeddedWorker, type EmbeddedWorker } from "@/server/jobs/executor/worker";
import { cancelRun, getRun, listRuns, rerunFailedRun } from "@/server/jobs/runs";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createStepLog, makeTestFunctions } from "../support/jobs-functions";
import { waitFor } from "../support/wait";

let t: TestDatabase;
let worker: EmbeddedWorker;
let fns: ReturnType<typeof makeTestFunctions>;

beforeAll(async () => {
  t = await createTestDatabase();
  await createStepLog(t.sql);
  fns = makeTestFunctions(t.sql);
  worker = await startEmbeddedWorker({
    db: t.db,
    functions: Object.values(fns),
    pollMs: 50,
    backoff: { baseMs: 50, maxMs: 200 },
    onError: (e) => console.error(e),
  });
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

async function runsOf(eventId: string) {
  return t.sql<{ id: string; function_id: string; status: string; output: unknown; error: { message: string } | null }[]>`
    select id, function_id, status, output, error from job_runs where event_id = ${eventId} order by function_id`;
}
async function settled(eventId: string, count = 1) {
  return waitFor(`runs of ${eventId} to finish`, async () => {
    const runs = await runsOf(eventId);
    return runs.length === count && runs.every((r) => ["completed", "failed", "cancelled"].includes(r.status)) && runs;
  });
}
async function stepCounts(runId: string) {
  const rows = await t.sql<{ step: string; n: number }[]>`select step, n from test_step_log where run_id = ${runId}`;
  return Object.fromEntries(rows.map((r) => [r.step, r.n]));
}

describe("embedded executor", () => {
  it("completes a three-step function with a sleep, running each step exactly once", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/three", data: { n: 7 } });
    const started = Date.now();
    const [run] = await settled(eventId!);
    expect(run!.status).toBe("completed");
    expect(run!.output).toEqual({ sum: 6, n: 7 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await stepCounts(run!.id)).toEqual({ one: 1, two: 1, three: 1 });
    const detail = await getRun(t.db, run!.id);
    expect(detail!.steps.map((s) => [s.name, s.status])).toEqual([
      ["one", "completed"],
      ["nap", "completed"],
      ["two", "completed"],
      ["three", "completed"],
    ]);
    const nap = detail!.steps[1]!;
    expect(nap.finishedAt!.getTime() - nap.startedAt!.getTime()).toBeGreaterThanOrEqual(900);
  });

  it("retries a step that throws twice with backoff, then completes", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/flaky", data: {} });
    const [run] = await settled(eventId!);
    expect(run!.status).toBe("completed");
    expect(run!.output).toBe("ok after 3");
    const detail = await getRun(t.db, run!.id);
    const step = detail!.steps.find((s) => s.name === "flaky")!;
    expect(step.attempts).toBe(3);
    expect(step.attemptErrors.map((e) => e.message)).toEqual(["flaky failure 1", "flaky failure 2"]);
    // backoff: the second error came at least ~base delay after the first
    expect(step.attemptErrors[1]!.at.getTime() - step.attemptErrors[0]!.at.getTime()).toBeGreaterThanOrEqual(30);
  });

  it("fails a run whose step always throws after its retries, and calls onFailure", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/doomed", data: {} });
    const [run] = await settled(eventId!);
    expect(run!.status).toBe("failed");
    expect(run!.error!.message).toContain("always fails (3)");
    expect(await stepCounts(run!.id)).toEqual({ always: 3 }); // retries: 2 → 3 attempts
    const failure = await waitFor("onFailure to run", async () => {
      const [row] = await t.sql`select * from test_failures where run_id = ${run!.id}`;
      return row;
    });
    expect(failure).toMatchObject({ function_id: "steller-test-doomed" });
    expect(failure.message).toContain("always fails");
  });

  it("fails at once on NonRetriableError", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/nonretriable", data: {} });
    const [run] = await settled(eventId!);
    expect(run!.status).toBe("failed");
    expect(run!.error!.message).toContain("this cannot work");
    expect(await stepCounts(run!.id)).toEqual({ refuse: 1 });
  });

  it("fans one event out to every function it triggers", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/fan", data: {} });
    const runs = await settled(eventId!, 2);
    expect(runs.map((r) => [r.function_id, r.status, r.output])).toEqual([
      ["steller-test-fan-a", "completed", "a"],
      ["steller-test-fan-b", "completed", "b"],
    ]);
  });

  it("starts nothing for an event enqueued in a transaction that rolls back", async () => {
    let eventId: string | undefined;
    await expect(
      t.db.transaction(async (tx) => {
        [eventId] = await enqueueEvent(tx, { name: "test/fan", data: { doomed: true } });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    // a later event is processed, so the worker had its chance at the rolled-back one
    const [later] = await enqueueEvent(t.db, { name: "test/fan", data: {} });
    await settled(later!, 2);
    expect(await runsOf(eventId!)).toEqual([]);
    const [row] = await t.sql`select count(*)::int as n from job_events where id = ${eventId!}`;
    expect(row!.n).toBe(0);
  });

  it("runs parallel steps once each and sends events through the outbox", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/parallel", data: {} });
    const [run] = await settled(eventId!);
    expect(run!.status).toBe("completed");
    expect(run!.output).toBe("xyz");
    expect(await stepCounts(run!.id)).toEqual({ x: 1, y: 1, z: 1 });
    const sent = await waitFor("the sent event's runs", async () => {
      const rows = await t.sql<{ id: string }[]>`select id from job_events where name = 'test/fan' and data->>'from' = ${run!.id}`;
      return rows[0];
    });
    const fanned = await settled(sent.id, 2);
    expect(fanned.every((r) => r.status === "completed")).toBe(true);
  });

  it("refuses step.waitForEvent with an error naming the function", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/wait", data: {} });
    const [run] = await settled(eventId!);
    expect(run!.status).toBe("failed");
    expect(run!.error!.message).toMatch(/function "steller-test-waits" used step\.waitForEvent/);
  });

  it("drops a second event with the same idempotency id", async () => {
    const first = await enqueueEvent(t.db, { name: "test/one", data: {}, id: "same-key" });
    const second = await enqueueEvent(t.db, { name: "test/one", data: {}, id: "same-key" });
    expect(second).toEqual(first);
    await settled(first[0]!);
  });

  it("cancels a sleeping run, and re-runs a failed one as a fresh run", async () => {
    const [eventId] = await enqueueEvent(t.db, { name: "test/three", data: {} });
    const sleeping = await waitFor("the run to sleep", async () => (await runsOf(eventId!)).find((r) => r.status === "sleeping"));
    expect(await cancelRun(t.db, sleeping.id)).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 1300));
    expect((await getRun(t.db, sleeping.id))!.status).toBe("cancelled");
    expect(await stepCounts(sleeping.id)).toEqual({ one: 1 });
    expect(await cancelRun(t.db, sleeping.id)).toMatchObject({ ok: false, reason: "not_cancellable" });

    const [doomedEvent] = await enqueueEvent(t.db, { name: "test/nonretriable", data: {} });
    const [failed] = await settled(doomedEvent!);
    const rerun = await rerunFailedRun(t.db, failed!.id);
    expect(rerun.ok).toBe(true);
    const again = await waitFor("the re-run to finish", async () => {
      const r = await getRun(t.db, (rerun as { runId: string }).runId);
      return r && r.status === "failed" && r;
    });
    expect(again.rerunOf).toBe(failed!.id);
    expect(await rerunFailedRun(t.db, (await settled(eventId!))[0]!.id)).toEqual({ ok: false, reason: "not_failed" });
  });

  it("lists runs newest first with a cursor and filters", async () => {
    const page1 = await listRuns(t.db, { limit: 2 });
    expect(page1.data).toHaveLength(2);
    expect(page1.hasMore).toBe(true);
    const page2 = await listRuns(t.db, { limit: 2, startingAfter: page1.nextCursor! });
    expect(page2.data[0]!.id < page1.data[1]!.id).toBe(true);
    const failed = await listRuns(t.db, { status: "failed", limit: 100 });
    expect(failed.data.length).toBeGreaterThan(0);
    expect(failed.data.every((r) => r.status === "failed")).toBe(true);
    const fanA = await listRuns(t.db, { functionId: "steller-test-fan-a", limit: 100 });
    expect(fanA.data.every((r) => r.functionId === "steller-test-fan-a" && r.eventName === "test/fan")).toBe(true);
  });
});
