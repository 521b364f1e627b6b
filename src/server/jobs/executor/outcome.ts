import { createHash } from "node:crypto";
import { sleepUntil, toSerializedError, type CallResult, type Memo, type SerializedError } from "./protocol";

/**
 * The executor's pure part: what one round of serve-handler answers means for a run (what to
 * write, what happens next), step deadlines and retry delays. No database, no clock of its own
 * (the caller passes `now`), so every branch is unit-tested without Postgres.
 */

export const FAILED_EVENT = "inngest/function.failed";

const UNSUPPORTED_OPS: Record<string, string> = {
  WaitForEvent: "step.waitForEvent",
  InvokeFunction: "step.invoke",
  WaitForSignal: "step.waitForSignal",
  AIGateway: "step.ai.infer",
  Gateway: "step.fetch",
  DeferAdd: "deferred functions",
  DeferAbort: "deferred functions",
};

export interface StepWrite {
  step_id: string;
  name: string;
  op: string;
  status: "completed" | "failed" | "sleeping";
  data: unknown;
  error: SerializedError | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
}

export interface AttemptWrite {
  step_id: string;
  name: string;
  attempt: number;
  error: SerializedError;
}

/** The run's state the round started from. `memo` and `stack` are read, never changed, here. */
export interface RoundState {
  fnId: string;
  attempt: number;
  failures: number;
  maxAttempts: number;
  /** The step ids this round called (empty: the function's next new step). */
  planned: readonly string[];
  memo: ReadonlyMap<string, Memo>;
  /** When the round's calls started and ended (ISO), for the steps' timing. */
  started: string;
  finished: string;
  now: number;
  /** Retry delay for the attempt number it is given (see `backoffDelay`). */
  backoffMs: (attempt: number) => number;
}

/**
 * What to do after a round. `continue` means: write the steps, keep the claim and call again
 * with `planned`; every other kind ends this claim of the run.
 */
export type Decision =
  | { kind: "complete"; output: unknown }
  | { kind: "fail"; error: SerializedError; steps: StepWrite[]; attempts: AttemptWrite[] }
  | { kind: "retry"; steps: StepWrite[]; attempts: AttemptWrite[]; attempt: number; failures: number; planned: string[]; runAt: Date; error?: SerializedError }
  | { kind: "sleep"; steps: StepWrite[]; attempts: AttemptWrite[]; runAt: Date }
  | { kind: "continue"; steps: StepWrite[]; attempts: AttemptWrite[]; attempt: number; planned: string[]; memo: [string, Memo][] };

/**
 * A call that did not answer: the step's deadline passed (`stepLabel` names the step when it is
 * known). The attempt is recorded against `stepId` and retried like any failed attempt.
 */
export interface DeadlineResult {
  kind: "deadline";
  stepId: string;
  stepLabel: string;
  deadlineMs: number;
}

export type RoundResult = CallResult | DeadlineResult;

export function deadlineError(fnId: string, stepLabel: string, deadlineMs: number): SerializedError {
  return { name: "StepDeadlineExceeded", message: `step ${stepLabel} of ${fnId} exceeded its deadline of ${formatMs(deadlineMs)}` };
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** Retry delay: baseMs · 2^(attempt-1), at most maxMs, ±20% jitter (`random` in [0, 1)). */
export function backoffDelay(attempt: number, backoff: { baseMs: number; maxMs: number }, random = Math.random()): number {
  const raw = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + random * 0.4));
}

export function decideRound(results: readonly RoundResult[], s: RoundState): Decision {
  const fail = (error: SerializedError, steps: StepWrite[] = [], attempts: AttemptWrite[] = []): Decision => ({ kind: "fail", error, steps, attempts });

  const done = results.find((r) => r.kind === "done");
  if (done?.kind === "done") return { kind: "complete", output: done.output };

  // Whole-call failures: the handler threw or answered an error, or a step passed its deadline.
  const deadlineAttempts: AttemptWrite[] = [];
  let callError: { error: SerializedError; retriable: boolean; retryAfterMs?: number } | undefined;
  for (const r of results) {
    if (r.kind === "deadline") {
      const error = deadlineError(s.fnId, r.stepLabel, r.deadlineMs);
      deadlineAttempts.push({ step_id: r.stepId, name: r.stepLabel, attempt: s.attempt, error });
      callError ??= { error, retriable: true };
    } else if (r.kind === "error" && !callError) {
      callError = { error: r.error, retriable: r.retriable, retryAfterMs: r.retryAfterMs };
    }
  }
  if (callError) {
    if (!callError.retriable || s.attempt + 1 >= s.maxAttempts) return fail(callError.error, [], deadlineAttempts);
    const attempt = s.attempt + 1;
    const delay = callError.retryAfterMs ?? s.backoffMs(attempt);
    // The same targets are called again on the next attempt.
    return {
      kind: "retry",
      steps: [],
      attempts: deadlineAttempts,
      attempt,
      failures: s.failures + 1,
      planned: [...s.planned],
      runAt: new Date(s.now + delay),
      error: callError.error,
    };
  }

  const steps: StepWrite[] = [];
  const attempts: AttemptWrite[] = [];
  const memo: [string, Memo][] = [];
  const known = new Set(s.memo.keys());
  const retry: string[] = [];
  const nextPlanned: string[] = [];
  let wakeAt: Date | undefined;
  let retryAfterMs: number | undefined;
  for (const r of results) {
    if (r.kind !== "ops") continue;
    if (r.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, r.retryAfterMs);
    for (const op of r.ops) {
      const name = op.displayName ?? op.userland?.id ?? op.name ?? op.id;
      const unsupported = UNSUPPORTED_OPS[op.op];
      if (unsupported) {
        return fail({
          name: "NonRetriableError",
          message: `function "${s.fnId}" used ${unsupported} (step "${name}"), which the embedded executor does not support; run an Inngest server (INNGEST_* settings) to use it`,
        });
      }
      switch (op.op) {
        case "StepRun":
        case "Step":
          if (known.has(op.id)) break;
          known.add(op.id);
          memo.push([op.id, { type: "data", data: op.data ?? null }]);
          steps.push({
            step_id: op.id,
            name,
            op: op.op,
            status: "completed",
            data: op.data ?? null,
            error: null,
            attempts: s.attempt + 1,
            started_at: s.started,
            finished_at: s.finished,
          });
          break;
        case "StepFailed": {
          const error = toSerializedError(op.error);
          known.add(op.id);
          memo.push([op.id, { type: "error", error: op.error }]);
          steps.push({
            step_id: op.id,
            name,
            op: op.op,
            status: "failed",
            data: null,
            error,
            attempts: s.attempt + 1,
            started_at: s.started,
            finished_at: s.finished,
          });
          attempts.push({ step_id: op.id, name, attempt: s.attempt, error });
          break;
        }
        case "StepError":
          retry.push(op.id);
          attempts.push({ step_id: op.id, name, attempt: s.attempt, error: toSerializedError(op.error) });
          break;
        case "Sleep": {
          const until = sleepUntil(op, s.now);
          steps.push({
            step_id: op.id,
            name,
            op: op.op,
            status: "sleeping",
            data: null,
            error: null,
            attempts: 1,
            started_at: s.started,
            finished_at: until.toISOString(),
          });
          if (!wakeAt || until < wakeAt) wakeAt = until;
          break;
        }
        case "StepPlanned":
          if (!known.has(op.id) && !nextPlanned.includes(op.id)) nextPlanned.push(op.id);
          break;
        case "StepNotFound":
          return fail({ name: "Error", message: `function "${s.fnId}": a planned step was not found (was it renamed?)` });
        default:
          return fail({ name: "NonRetriableError", message: `function "${s.fnId}": operation "${op.op}" is not supported by the embedded executor` });
      }
    }
  }

  if (retry.length) {
    // The SDK answered StepError: it still has attempts left for these steps.
    const attempt = s.attempt + 1;
    return {
      kind: "retry",
      steps,
      attempts,
      attempt,
      failures: s.failures + 1,
      planned: [...retry, ...nextPlanned],
      runAt: new Date(s.now + (retryAfterMs ?? s.backoffMs(attempt))),
    };
  }
  const progressed = steps.some((st) => st.status !== "sleeping");
  if (wakeAt && nextPlanned.length === 0 && !progressed) return { kind: "sleep", steps, attempts, runAt: wakeAt };
  if (steps.length === 0 && nextPlanned.length === 0) {
    return fail({ name: "Error", message: `function "${s.fnId}": the serve handler answered without progress` });
  }
  return { kind: "continue", steps, attempts, attempt: progressed ? 0 : s.attempt, planned: nextPlanned, memo };
}

/**
 * Step deadlines. A function has a default (`defaultMs`); a function may set its own, and a
 * step (by its id as written in `step.run("id", …)`) may set one that wins over both.
 */
export interface DeadlineConfig {
  defaultMs: number;
  functions?: Record<string, { ms?: number; steps?: Record<string, number> }>;
}

export interface DeadlineTable {
  /** Deadline of a call: a planned step (hashed id) or "step" (the function's next new step). */
  forCall(fnId: string, target: string): { ms: number; label: string };
  /** Deadline of a step once the handler says which one it executes (`id` as in the code). */
  forStep(fnId: string, hashedId: string, id: string): { ms: number; label: string };
}

/** The SDK's step id hash (sha1 hex of the id written in the code). */
export function hashStepId(id: string): string {
  return createHash("sha1").update(id).digest("hex");
}

/**
 * Function ids are matched with or without the app prefix (`order-fulfil` or `steller-order-fulfil`).
 * A discovery call ("step") runs whichever step comes next: it starts with the function's
 * deadline, and when the handler reports the step it executes (the client's onStepStart hook)
 * the step's own deadline runs from that moment. A planned step has its own from the start.
 */
export function deadlineTable(appId: string, config: DeadlineConfig): DeadlineTable {
  const byFn = new Map<string, { ms: number; steps: Map<string, { ms: number; name: string }> }>();
  for (const [id, f] of Object.entries(config.functions ?? {})) {
    const full = id.startsWith(`${appId}-`) ? id : `${appId}-${id}`;
    const steps = new Map<string, { ms: number; name: string }>();
    for (const [name, ms] of Object.entries(f.steps ?? {})) steps.set(hashStepId(name), { ms, name });
    byFn.set(full, { ms: f.ms ?? config.defaultMs, steps });
  }
  return {
    forCall(fnId, target) {
      const f = byFn.get(fnId);
      const step = f?.steps.get(target);
      if (step) return { ms: step.ms, label: step.name };
      return { ms: f?.ms ?? config.defaultMs, label: target === "step" ? "(next step)" : target.slice(0, 12) };
    },
    forStep(fnId, hashedId, id) {
      const f = byFn.get(fnId);
      return { ms: f?.steps.get(hashedId)?.ms ?? f?.ms ?? config.defaultMs, label: id };
    },
  };
}

/**
 * The longest a vendor step can rightly take: every attempt of the vendor client up to its
 * timeout, the backoff between them (capped at maxDelayMs), one rate-limiter wait of at most
 * `limiterWaitMs` (BAMBOO_MAX_WAIT_MS: a longer wait ends the step with a retry-after instead),
 * one more call for the re-check by request id after an unknown answer, and a 10 s margin for
 * our own database writes. With the defaults: 160.5 s.
 */
export function vendorStepDeadlineMs(
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number },
  limiterWaitMs = 30_000,
): number {
  let backoff = 0;
  for (let i = 1; i < retry.maxAttempts; i++) backoff += Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (i - 1));
  return (retry.maxAttempts + 1) * retry.timeoutMs + backoff + limiterWaitMs + 10_000;
}
