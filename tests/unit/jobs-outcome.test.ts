import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  deadlineError,
  deadlineTable,
  decideRound,
  hashStepId,
  vendorStepDeadlineMs,
  type RoundResult,
  type RoundState,
} from "@/server/jobs/executor/outcome";
import type { Memo } from "@/server/jobs/executor/protocol";

const NOW = Date.parse("2026-01-01T00:00:00Z");
function state(over: Partial<RoundState> = {}): RoundState {
  return {
    fnId: "steller-f",
    attempt: 0,
    failures: 0,
    maxAttempts: 4,
    planned: [],
    memo: new Map<string, Memo>(),
    started: "2026-01-01T00:00:00.000Z",
    finished: "2026-01-01T00:00:01.000Z",
    now: NOW,
    backoffMs: (a) => 1000 * a,
    ...over,
  };
}
const ops = (...list: Record<string, unknown>[]): RoundResult => ({ kind: "ops", ops: list as never, noRetry: false });

describe("decideRound (SDK answers → what to write, what next)", () => {
  it("completes on a 200", () => {
    expect(decideRound([{ kind: "done", output: { ok: 1 } }], state())).toEqual({ kind: "complete", output: { ok: 1 } });
  });

  it("memoises a finished step and continues with the next planned ones, resetting the attempt", () => {
    const d = decideRound([ops({ id: "h1", op: "StepRun", displayName: "one", data: 5 }, { id: "h2", op: "StepPlanned" })], state({ attempt: 2 }));
    expect(d).toMatchObject({ kind: "continue", attempt: 0, planned: ["h2"], memo: [["h1", { type: "data", data: 5 }]] });
    if (d.kind !== "continue") throw new Error();
    expect(d.steps).toEqual([
      {
        step_id: "h1",
        name: "one",
        op: "StepRun",
        status: "completed",
        data: 5,
        error: null,
        attempts: 3,
        started_at: "2026-01-01T00:00:00.000Z",
        finished_at: "2026-01-01T00:00:01.000Z",
      },
    ]);
  });

  it("does not write a step twice that the memo already has", () => {
    const d = decideRound(
      [ops({ id: "h1", op: "StepRun", data: 5 }, { id: "h2", op: "StepPlanned" })],
      state({ memo: new Map([["h1", { type: "data", data: 5 }]]) }),
    );
    expect(d).toMatchObject({ kind: "continue", steps: [], planned: ["h2"] });
  });

  it("retries a StepError with backoff, recording the attempt's error", () => {
    const d = decideRound(
      [ops({ id: "h1", op: "StepError", displayName: "flaky", error: { name: "Error", message: "boom" } })],
      state({ attempt: 1, failures: 1 }),
    );
    expect(d).toEqual({
      kind: "retry",
      steps: [],
      attempts: [{ step_id: "h1", name: "flaky", attempt: 1, error: { name: "Error", message: "boom", stack: undefined } }],
      attempt: 2,
      failures: 2,
      planned: ["h1"],
      runAt: new Date(NOW + 2000),
    });
  });

  it("honours the handler's retry-after over the backoff", () => {
    const d = decideRound(
      [{ kind: "ops", ops: [{ id: "h1", op: "StepError", error: { message: "slow down" } }], noRetry: false, retryAfterMs: 30_000 }],
      state(),
    );
    expect(d).toMatchObject({ kind: "retry", runAt: new Date(NOW + 30_000) });
  });

  it("records a StepFailed as a failed step and goes on (the function may catch it)", () => {
    const d = decideRound(
      [ops({ id: "h1", op: "StepFailed", displayName: "x", error: { name: "Error", message: "final" } }, { id: "h2", op: "StepPlanned" })],
      state({ attempt: 3 }),
    );
    expect(d).toMatchObject({
      kind: "continue",
      attempt: 0,
      planned: ["h2"],
      steps: [{ step_id: "h1", status: "failed", attempts: 4 }],
      attempts: [{ step_id: "h1", attempt: 3 }],
    });
  });

  it("sleeps until the earliest Sleep when nothing else progressed", () => {
    const d = decideRound([ops({ id: "s1", op: "Sleep", name: "1m" })], state());
    expect(d).toMatchObject({
      kind: "sleep",
      runAt: new Date(NOW + 60_000),
      steps: [{ step_id: "s1", status: "sleeping", finished_at: new Date(NOW + 60_000).toISOString() }],
    });
  });

  it("fails on unsupported operations, naming the step and the function", () => {
    const d = decideRound([ops({ id: "w", op: "WaitForEvent", displayName: "approval" })], state());
    expect(d).toMatchObject({ kind: "fail", error: { name: "NonRetriableError" } });
    if (d.kind !== "fail") throw new Error();
    expect(d.error.message).toContain('function "steller-f" used step.waitForEvent (step "approval")');
  });

  it("fails an answer without progress", () => {
    expect(decideRound([ops()], state())).toMatchObject({
      kind: "fail",
      error: { message: 'function "steller-f": the serve handler answered without progress' },
    });
  });

  it("retries a retriable handler error with the same planned steps, and fails it once attempts are used up", () => {
    const err: RoundResult = { kind: "error", error: { name: "Error", message: "500" }, retriable: true };
    expect(decideRound([err], state({ planned: ["h9"] }))).toMatchObject({
      kind: "retry",
      attempt: 1,
      failures: 1,
      planned: ["h9"],
      runAt: new Date(NOW + 1000),
      error: { message: "500" },
    });
    expect(decideRound([err], state({ attempt: 3 }))).toMatchObject({ kind: "fail", error: { message: "500" } });
    expect(decideRound([{ ...err, retriable: false }], state())).toMatchObject({ kind: "fail" });
  });

  it("treats a step past its deadline as a failed attempt: error named after the step, retried with backoff", () => {
    const late: RoundResult = { kind: "deadline", stepId: "h1", stepLabel: "place-with-vendor", deadlineMs: 90_000 };
    const d = decideRound([late], state({ fnId: "steller-order-fulfil", attempt: 1, failures: 1 }));
    const error = { name: "StepDeadlineExceeded", message: "step place-with-vendor of steller-order-fulfil exceeded its deadline of 90 s" };
    expect(d).toEqual({
      kind: "retry",
      steps: [],
      attempts: [{ step_id: "h1", name: "place-with-vendor", attempt: 1, error }],
      attempt: 2,
      failures: 2,
      planned: [],
      runAt: new Date(NOW + 2000),
      error,
    });
    // The last attempt: the run fails with the deadline error, the attempt still recorded.
    expect(decideRound([late], state({ fnId: "steller-order-fulfil", attempt: 3 }))).toMatchObject({ kind: "fail", error, attempts: [{ step_id: "h1" }] });
  });

  it("a deadline in a parallel round wins over steps that did answer (they run again on the retry)", () => {
    const d = decideRound(
      [ops({ id: "h1", op: "StepRun", data: 1 }), { kind: "deadline", stepId: "h2", stepLabel: "b", deadlineMs: 1000 }],
      state({ planned: ["h1", "h2"] }),
    );
    expect(d).toMatchObject({ kind: "retry", planned: ["h1", "h2"] });
  });
});

describe("deadlines", () => {
  it("formats the deadline in the error", () => {
    expect(deadlineError("steller-x", "s", 300_000).message).toBe("step s of steller-x exceeded its deadline of 5 min");
    expect(deadlineError("steller-x", "s", 1_500).message).toBe("step s of steller-x exceeded its deadline of 1500 ms");
  });

  it("takes a step's deadline over its function's over the default; ids with or without the app prefix", () => {
    const table = deadlineTable("steller", {
      defaultMs: 300_000,
      functions: { "order-fulfil": { ms: 120_000, steps: { "place-with-vendor": 60_000 } }, "steller-other": { ms: 5_000 } },
    });
    expect(table.forCall("steller-order-fulfil", "step")).toEqual({ ms: 120_000, label: "(next step)" });
    expect(table.forCall("steller-order-fulfil", hashStepId("place-with-vendor"))).toEqual({ ms: 60_000, label: "place-with-vendor" });
    expect(table.forStep("steller-order-fulfil", hashStepId("place-with-vendor"), "place-with-vendor")).toEqual({ ms: 60_000, label: "place-with-vendor" });
    expect(table.forStep("steller-order-fulfil", hashStepId("poll-0"), "poll-0")).toEqual({ ms: 120_000, label: "poll-0" });
    expect(table.forCall("steller-other", "step").ms).toBe(5_000);
    expect(table.forStep("steller-unknown", "h", "x").ms).toBe(300_000);
  });

  it("hashes step ids as the SDK does (sha1 hex)", async () => {
    const { createHash } = await import("node:crypto");
    expect(hashStepId("place-with-vendor")).toBe(createHash("sha1").update("place-with-vendor").digest("hex"));
  });

  it("derives the vendor steps' deadline from the client's timeout and retries", () => {
    // 6 attempts of 15 s plus one re-check by request id, backoff 0.5+1+2+4+8 s, one 30 s limiter wait, 10 s margin.
    expect(vendorStepDeadlineMs({ maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 10_000, timeoutMs: 15_000 })).toBe(90_000 + 15_000 + 15_500 + 30_000 + 10_000);
    expect(vendorStepDeadlineMs({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000, timeoutMs: 2_000 }, 5_000)).toBe(
      12_000 + 2_000 + 100 + 200 + 400 + 800 + 1_000 + 5_000 + 10_000,
    );
  });

  it("backs off exponentially within ±20%, capped", () => {
    expect(backoffDelay(1, { baseMs: 1000, maxMs: 60_000 }, 0.5)).toBe(1000);
    expect(backoffDelay(4, { baseMs: 1000, maxMs: 60_000 }, 0.5)).toBe(8000);
    expect(backoffDelay(30, { baseMs: 1000, maxMs: 60_000 }, 0)).toBe(48_000);
    expect(backoffDelay(30, { baseMs: 1000, maxMs: 60_000 }, 0.9999)).toBeLessThanOrEqual(72_000);
  });
});
