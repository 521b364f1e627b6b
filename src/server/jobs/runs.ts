import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import type { InngestFunction } from "inngest";
import { jobRuns, jobSchedules, jobStepAttempts, jobSteps, type JobRunStatus } from "@/server/db/schema";
import { registerFunctions } from "./executor/registry";

export interface RunSummary {
  id: string;
  functionId: string;
  eventName: string;
  eventId: string | null;
  status: JobRunStatus;
  attempt: number;
  failures: number;
  error: { name: string; message: string } | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When a queued, retrying or sleeping run is next due. */
  nextRunAt: Date | null;
}

export interface RunStep {
  stepId: string;
  name: string;
  op: string;
  status: "completed" | "failed" | "sleeping" | "retrying";
  attempts: number;
  data: unknown;
  error: { name: string; message: string; stack?: string } | null;
  /** Errors of the attempts that failed before this outcome, oldest first. */
  attemptErrors: { attempt: number; message: string; at: Date }[];
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunDetail extends RunSummary {
  event: Record<string, unknown>;
  output: unknown;
  rerunOf: string | null;
  steps: RunStep[];
}

type RunRow = typeof jobRuns.$inferSelect;

function summary(r: RunRow): RunSummary {
  const open = r.status === "queued" || r.status === "running" || r.status === "sleeping";
  return {
    id: r.id,
    functionId: r.functionId,
    eventName: String((r.event as { name?: unknown }).name ?? ""),
    eventId: r.eventId,
    status: r.status,
    attempt: r.attempt,
    failures: r.failures,
    error: r.error ? { name: r.error.name, message: r.error.message } : null,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    nextRunAt: open ? r.runAt : null,
  };
}

export interface ListRunsFilters {
  functionId?: string;
  status?: JobRunStatus | JobRunStatus[];
  eventId?: string;
  limit?: number;
  startingAfter?: string;
}

/** Runs, newest first, by cursor: `{ data, hasMore, nextCursor }`. `limit` is capped at 100. */
export async function listRuns(db: DbOrTx, filters: ListRunsFilters = {}) {
  const limit = Math.min(Math.max(filters.limit ?? 20, 1), 100);
  const where = [
    filters.functionId ? eq(jobRuns.functionId, filters.functionId) : undefined,
    filters.eventId ? eq(jobRuns.eventId, filters.eventId) : undefined,
    filters.status ? inArray(jobRuns.status, Array.isArray(filters.status) ? filters.status : [filters.status]) : undefined,
    filters.startingAfter ? lt(jobRuns.id, filters.startingAfter) : undefined,
  ].filter((w) => w !== undefined);
  const rows = await db
    .select()
    .from(jobRuns)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(jobRuns.id))
    .limit(limit + 1);
  const data = rows.slice(0, limit).map(summary);
  const hasMore = rows.length > limit;
  return { data, hasMore, nextCursor: hasMore ? data[data.length - 1]!.id : null };
}

/** One run with its event, output and every step (timing, attempts, errors); null if unknown. */
export async function getRun(db: DbOrTx, runId: string): Promise<RunDetail | null> {
  const [run] = await db.select().from(jobRuns).where(eq(jobRuns.id, runId));
  if (!run) return null;
  const [steps, attempts] = await Promise.all([
    db.select().from(jobSteps).where(eq(jobSteps.runId, runId)).orderBy(asc(jobSteps.seq)),
    db.select().from(jobStepAttempts).where(eq(jobStepAttempts.runId, runId)).orderBy(asc(jobStepAttempts.at), asc(jobStepAttempts.attempt)),
  ]);
  const errorsOf = (stepId: string) => attempts.filter((a) => a.stepId === stepId).map((a) => ({ attempt: a.attempt, message: a.error.message, at: a.at }));
  const recorded = new Set(steps.map((s) => s.stepId));
  const now = Date.now();
  const out: RunStep[] = steps.map((s) => ({
    stepId: s.stepId,
    name: s.name,
    op: s.op,
    status: s.status === "sleeping" && s.finishedAt && s.finishedAt.getTime() <= now ? "completed" : s.status,
    attempts: s.attempts,
    data: s.data,
    error: s.error ?? null,
    attemptErrors: errorsOf(s.stepId).filter((e) => s.status !== "failed" || e.attempt < s.attempts - 1),
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
  }));
  // Steps still being retried have errors but no outcome yet.
  for (const stepId of new Set(attempts.map((a) => a.stepId))) {
    if (recorded.has(stepId)) continue;
    const errs = errorsOf(stepId);
    const last = attempts.filter((a) => a.stepId === stepId).at(-1)!;
    out.push({
      stepId,
      name: last.name,
      op: "StepRun",
      status: "retrying",
      attempts: errs.length,
      data: null,
      error: last.error,
      attemptErrors: errs,
      startedAt: errs[0]?.at ?? null,
      finishedAt: null,
    });
  }
  return { ...summary(run), event: run.event, output: run.output ?? null, rerunOf: run.rerunOf, steps: out };
}

export type RerunResult = { ok: true; runId: string } | { ok: false; reason: "not_found" | "not_failed" };

/** Starts a fresh run of a failed run's function with the same event (steps run again). */
export async function rerunFailedRun(db: DbOrTx, runId: string): Promise<RerunResult> {
  const [run] = await db.select().from(jobRuns).where(eq(jobRuns.id, runId));
  if (!run) return { ok: false, reason: "not_found" };
  if (run.status !== "failed") return { ok: false, reason: "not_failed" };
  const id = newId("run");
  await db.insert(jobRuns).values({
    id,
    functionId: run.functionId,
    eventId: run.eventId,
    event: run.event,
    concurrencyLimit: run.concurrencyLimit,
    concurrencyKey: run.concurrencyKey,
    throttleKey: run.throttleKey,
    rerunOf: run.id,
  });
  return { ok: true, runId: id };
}

export type CancelResult = { ok: true } | { ok: false; reason: "not_found" | "not_cancellable"; status?: JobRunStatus };

/**
 * Cancels a run that is queued, sleeping or running. A running run is not interrupted mid-call:
 * its worker sees the cancellation at the next step boundary (its write is refused, the claim
 * being gone) or at its next lease renewal, stops waiting for the step, and writes nothing more.
 * A step already executing may still finish its side effect; steps are idempotent.
 */
export async function cancelRun(db: DbOrTx, runId: string): Promise<CancelResult> {
  const updated = await db
    .update(jobRuns)
    .set({ status: "cancelled", finishedAt: sql`now()`, claimedUntil: null, claimedBy: null })
    .where(and(eq(jobRuns.id, runId), inArray(jobRuns.status, ["queued", "sleeping", "running"])))
    .returning({ id: jobRuns.id });
  if (updated.length) return { ok: true };
  const [run] = await db.select({ status: jobRuns.status }).from(jobRuns).where(eq(jobRuns.id, runId));
  return run ? { ok: false, reason: "not_cancellable", status: run.status } : { ok: false, reason: "not_found" };
}

export interface JobFunctionInfo {
  /** The run records' `functionId` (app-prefixed: `steller-orders-backfill`). */
  id: string;
  /** The function's own id (`orders-backfill`). */
  slug: string;
  name: string;
  cron: string | null;
  events: string[];
  retries: number;
  /** Its next cron tick (embedded executor's schedule), if any. */
  nextTickAt: Date | null;
  recent: RunSummary[];
  counts: { running: number; queued: number; failed24h: number; completed24h: number };
}

/**
 * Every function of the app with its triggers (as synced to an Inngest server), its next cron
 * tick, the counts of its runs and its latest `recentPerFunction` runs, from the embedded
 * executor's tables (empty when an Inngest server runs the jobs).
 */
export async function describeJobFunctions(
  db: DbOrTx,
  functions: readonly InngestFunction.Any[],
  opts: { appId?: string; recentPerFunction?: number } = {},
): Promise<JobFunctionInfo[]> {
  const appId = opts.appId ?? "steller";
  const registry = registerFunctions(appId, functions);
  const per = Math.min(Math.max(opts.recentPerFunction ?? 5, 1), 20);
  const ids = [...registry.keys()];
  if (ids.length === 0) return [];
  const [recent, counts, schedules] = await Promise.all([
    db
      .select()
      .from(jobRuns)
      .where(
        inArray(
          jobRuns.id,
          sql`(select id from (select id, row_number() over (partition by function_id order by id desc) as n from job_runs where function_id in ${sql.raw(`(${ids.map((i) => `'${i.replace(/'/g, "''")}'`).join(", ")})`)}) ranked where n <= ${per})`,
        ),
      )
      .orderBy(desc(jobRuns.id)),
    db
      .select({
        functionId: jobRuns.functionId,
        running: sql<number>`count(*) filter (where ${jobRuns.status} in ('running', 'sleeping'))::int`,
        queued: sql<number>`count(*) filter (where ${jobRuns.status} = 'queued')::int`,
        failed24h: sql<number>`count(*) filter (where ${jobRuns.status} = 'failed' and ${jobRuns.createdAt} > now() - interval '24 hours')::int`,
        completed24h: sql<number>`count(*) filter (where ${jobRuns.status} = 'completed' and ${jobRuns.createdAt} > now() - interval '24 hours')::int`,
      })
      .from(jobRuns)
      .where(inArray(jobRuns.functionId, ids))
      .groupBy(jobRuns.functionId),
    db.select().from(jobSchedules).where(inArray(jobSchedules.functionId, ids)),
  ]);
  return [...registry.values()].map((f) => ({
    id: f.id,
    slug: f.id.startsWith(`${appId}-`) ? f.id.slice(appId.length + 1) : f.id,
    name: f.name,
    cron: f.cron?.expression ?? null,
    events: f.events.map((e) => e.name),
    retries: f.maxAttempts - 1,
    nextTickAt: schedules.find((s) => s.functionId === f.id)?.nextAt ?? null,
    recent: recent.filter((r) => r.functionId === f.id).map(summary),
    counts: counts.find((c) => c.functionId === f.id) ?? { running: 0, queued: 0, failed24h: 0, completed24h: 0 },
  }));
}
