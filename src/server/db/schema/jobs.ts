import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * The outbox and event log. A row is written in the transaction of the change that
 * causes it; `pending` rows are fanned out to runs (embedded) or relayed to the Inngest
 * server (server mode), then marked `dispatched`.
 */
export const jobEvents = pgTable(
  "job_events",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    id: text("id").notNull().unique(),
    name: text("name").notNull(),
    data: jsonb("data").notNull().$type<Record<string, unknown>>(),
    /** The sender's idempotency key (Inngest's event `id`): a second event with it is dropped. */
    key: text("key").unique(),
    ts: bigint("ts", { mode: "number" }).notNull(),
    status: text("status", { enum: ["pending", "dispatched"] })
      .notNull()
      .default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
  },
  (t) => [index("job_events_pending_idx").on(t.seq).where(sql`${t.status} = 'pending'`)],
);

export type JobRunStatus = "queued" | "running" | "sleeping" | "completed" | "failed" | "cancelled";

/**
 * One run of one function. `run_at` is when it is next due; a worker that claims it sets
 * `claimed_until` (a lease) and renews it while it works; an expired lease is reclaimable.
 */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: text("id").primaryKey(),
    functionId: text("function_id").notNull(),
    eventId: text("event_id"),
    event: jsonb("event").notNull().$type<Record<string, unknown>>(),
    status: text("status", {
      enum: ["queued", "running", "sleeping", "completed", "failed", "cancelled"],
    })
      .$type<JobRunStatus>()
      .notNull()
      .default("queued"),
    /** Attempt number of the current request (0-based); reset when a step succeeds. */
    attempt: integer("attempt").notNull().default(0),
    /** Requests made for this run that ended in an error, for people reading the record. */
    failures: integer("failures").notNull().default(0),
    /** Hashed ids of steps the SDK planned and that still have to run. */
    planned: jsonb("planned").notNull().$type<string[]>().default([]),
    stepCount: integer("step_count").notNull().default(0),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    claimedBy: text("claimed_by"),
    concurrencyLimit: integer("concurrency_limit"),
    concurrencyKey: text("concurrency_key"),
    throttleKey: text("throttle_key"),
    cronTick: timestamp("cron_tick", { withTimezone: true }),
    /** The run this one re-runs, if any. */
    rerunOf: text("rerun_of"),
    output: jsonb("output"),
    error: jsonb("error").$type<{ name: string; message: string; stack?: string }>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("job_runs_due_idx").on(t.runAt).where(sql`${t.status} in ('queued', 'running', 'sleeping')`),
    index("job_runs_function_idx").on(t.functionId, t.id),
    index("job_runs_concurrency_idx").on(t.functionId, t.concurrencyKey).where(sql`${t.claimedUntil} is not null`),
    index("job_runs_throttle_idx").on(t.functionId, t.throttleKey, t.startedAt),
    uniqueIndex("job_runs_cron_tick_uq").on(t.functionId, t.cronTick),
  ],
);

/** A step's memoised outcome (the run's durable state) and its timing. `seq` orders the stack. */
export const jobSteps = pgTable(
  "job_steps",
  {
    runId: text("run_id")
      .notNull()
      .references(() => jobRuns.id, { onDelete: "cascade" }),
    stepId: text("step_id").notNull(),
    seq: bigserial("seq", { mode: "number" }).notNull(),
    name: text("name").notNull(),
    op: text("op").notNull(),
    status: text("status", { enum: ["completed", "failed", "sleeping"] }).notNull(),
    data: jsonb("data"),
    error: jsonb("error").$type<{ name: string; message: string; stack?: string }>(),
    attempts: integer("attempts").notNull().default(1),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepId] }), index("job_steps_run_seq_idx").on(t.runId, t.seq)],
);

/** Errors of a step that is still being retried (no memoised outcome yet). */
export const jobStepAttempts = pgTable(
  "job_step_attempts",
  {
    runId: text("run_id")
      .notNull()
      .references(() => jobRuns.id, { onDelete: "cascade" }),
    stepId: text("step_id").notNull(),
    name: text("name").notNull(),
    attempt: integer("attempt").notNull(),
    error: jsonb("error").notNull().$type<{ name: string; message: string; stack?: string }>(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepId, t.attempt] })],
);

/** Cron schedules: the next tick of each cron-triggered function, claimed by one worker. */
export const jobSchedules = pgTable("job_schedules", {
  functionId: text("function_id").primaryKey(),
  cron: text("cron").notNull(),
  nextAt: timestamp("next_at", { withTimezone: true }).notNull(),
  lastTick: timestamp("last_tick", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
