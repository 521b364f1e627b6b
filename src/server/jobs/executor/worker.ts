import os from "node:os";
import { randomBytes } from "node:crypto";
import type { Inngest, InngestFunction } from "inngest";
import type postgres from "postgres";
import { newId } from "@/lib/ids";
import type { Db } from "@/server/db/client";
import { inngest as defaultClient, setEmbeddedEventSink } from "../client";
import { enqueueEvents } from "../outbox";
import { createProtocolClient, sleepUntil, toSerializedError, type Memo, type Op, type SerializedError } from "./protocol";
import { registerFunctions, type RegisteredFunction } from "./registry";

export interface EmbeddedWorkerOptions {
  db: Db;
  functions: readonly InngestFunction.Any[];
  client?: Inngest.Any;
  /** Names this worker in `claimed_by`; unique per process by default. */
  workerId?: string;
  /** Runs processed at once by this worker. */
  maxInFlight?: number;
  /** How long a claim lasts without renewal; a crashed worker's runs are retaken after it. */
  leaseMs?: number;
  /** Fallback polling interval (LISTEN/NOTIFY wakes the worker sooner). */
  pollMs?: number;
  /** Retry delay: baseMs · 2^(attempt-1), at most maxMs, ±20% jitter. */
  backoff?: { baseMs: number; maxMs: number };
  onError?: (error: unknown) => void;
}

export interface EmbeddedWorker {
  id: string;
  /** Counters since start: requests made to the serve handler, runs finished by this worker. */
  stats(): { requests: number; runsFinished: number };
  stop(): Promise<void>;
}

interface ClaimedRun {
  id: string;
  function_id: string;
  event: Record<string, unknown>;
  attempt: number;
  planned: string[];
  step_count: number;
  prev_status: string;
}

const FAILED_EVENT = "inngest/function.failed";
const CRON_EVENT = "inngest/scheduled.timer";
const UNSUPPORTED_OPS: Record<string, string> = {
  WaitForEvent: "step.waitForEvent",
  InvokeFunction: "step.invoke",
  WaitForSignal: "step.waitForSignal",
  AIGateway: "step.ai.infer",
  Gateway: "step.fetch",
  DeferAdd: "deferred functions",
  DeferAbort: "deferred functions",
};

// On globalThis: Next's bundle and the boot script load separate copies of this module.
const workers = globalThis as unknown as { __stellerJobWorkers?: number };
/** How many embedded workers run in this process (for health). */
export function embeddedWorkerCount(): number {
  return workers.__stellerJobWorkers ?? 0;
}

/**
 * Starts the embedded stand-in for an Inngest server: it turns outbox events into runs,
 * fires cron ticks, and drives each run through the app's serve handler, keeping every
 * step's outcome in Postgres. Several workers (processes) can share one database.
 */
export async function startEmbeddedWorker(opts: EmbeddedWorkerOptions): Promise<EmbeddedWorker> {
  const client = opts.client ?? defaultClient;
  const db = opts.db;
  // The raw postgres.js client under drizzle. Drizzle turns off its timestamp (de)serialisers,
  // so timestamps go in as ISO strings and come back as strings here.
  const sql = (db as unknown as { $client: postgres.Sql }).$client;
  const registry = registerFunctions(client.id, opts.functions);
  const call = createProtocolClient(client, opts.functions);
  const workerId = opts.workerId ?? `wkr_${os.hostname()}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const maxInFlight = opts.maxInFlight ?? 16;
  const leaseMs = opts.leaseMs ?? 15_000;
  const pollMs = opts.pollMs ?? 250;
  const backoff = opts.backoff ?? { baseMs: 2_000, maxMs: 3_600_000 };
  const onError = opts.onError ?? ((e: unknown) => console.error("[jobs] embedded worker error:", e));
  const hasFailureListeners = [...registry.values()].some((f) => f.events.some((e) => e.name === FAILED_EVENT));
  const byEvent = new Map<string, RegisteredFunction[]>();
  for (const f of registry.values()) {
    for (const e of f.events) byEvent.set(e.name, [...(byEvent.get(e.name) ?? []), f]);
  }
  const cronFns = [...registry.values()].filter((f) => f.cron);

  setEmbeddedEventSink((events) => enqueueEvents(db, events));

  let stopped = false;
  const counters = { requests: 0, runsFinished: 0 };
  const inflight = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const sleepOrWake = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const listener = await sql.listen("steller_jobs", poke);

  // Cron schedules: keep each function's next tick; a changed expression restarts it.
  for (const f of cronFns) {
    const next = f.cron!.next(new Date());
    if (!next) continue;
    await sql`
      insert into job_schedules (function_id, cron, next_at) values (${f.id}, ${f.cron!.expression}, ${next.toISOString()})
      on conflict (function_id) do update set
        cron = excluded.cron,
        next_at = case when job_schedules.cron <> excluded.cron then excluded.next_at else job_schedules.next_at end,
        updated_at = now()`;
  }

  function concurrencyFields(f: RegisteredFunction, event: Record<string, unknown>) {
    return {
      concurrency_limit: f.concurrency?.limit ?? null,
      concurrency_key: f.concurrency ? (f.concurrency.key?.({ event }) ?? "") : null,
      throttle_key: f.throttle ? (f.throttle.key?.({ event }) ?? "") : null,
    };
  }

  /** Outbox → runs: one run per function each pending event triggers, in one transaction. */
  async function fanOut(): Promise<number> {
    return sql.begin(async (tx) => {
      const events = await tx<{ seq: string; id: string; name: string; data: Record<string, unknown>; key: string | null; ts: string }[]>`
        select seq, id, name, data, key, ts from job_events where status = 'pending'
        order by seq limit 500 for update skip locked`;
      if (events.length === 0) return 0;
      const runs: Record<string, unknown>[] = [];
      for (const e of events) {
        const event = { name: e.name, data: e.data, id: e.key ?? e.id, ts: Number(e.ts) };
        for (const f of byEvent.get(e.name) ?? []) {
          if (!f.events.some((t) => t.name === e.name && t.matches(event))) continue;
          runs.push({ id: newId("run"), function_id: f.id, event_id: e.id, event, ...concurrencyFields(f, event) });
        }
      }
      if (runs.length) await insertRuns(tx, runs);
      await tx`update job_events set status = 'dispatched', dispatched_at = now() where seq in ${tx(events.map((e) => e.seq))}`;
      return events.length;
    });
  }

  async function insertRuns(tx: postgres.Sql | postgres.TransactionSql, runs: Record<string, unknown>[]) {
    await tx`
      insert into job_runs (id, function_id, event_id, event, concurrency_limit, concurrency_key, throttle_key, cron_tick)
      select id, function_id, event_id, event, concurrency_limit, concurrency_key, throttle_key, cron_tick
      from jsonb_to_recordset(${JSON.stringify(runs)}::jsonb) as x(
        id text, function_id text, event_id text, event jsonb, concurrency_limit int,
        concurrency_key text, throttle_key text, cron_tick timestamptz)
      on conflict do nothing`;
  }

  /** Due cron ticks → runs. The (function, tick) unique index makes a tick fire once. */
  async function fireCron(): Promise<number> {
    if (cronFns.length === 0) return 0;
    return sql.begin(async (tx) => {
      const due = await tx<{ function_id: string; cron: string; next_at: string }[]>`
        select function_id, cron, next_at from job_schedules
        where next_at <= now() and function_id in ${tx(cronFns.map((f) => f.id))}
        for update skip locked`;
      for (const s of due) {
        const f = registry.get(s.function_id)!;
        const tick = new Date(s.next_at);
        const event = { name: CRON_EVENT, data: { cron: s.cron }, id: `cron:${f.id}:${tick.toISOString()}`, ts: tick.getTime() };
        await insertRuns(tx, [{ id: newId("run"), function_id: f.id, event_id: null, event, cron_tick: tick.toISOString(), ...concurrencyFields(f, event) }]);
        // Missed ticks while nobody ran are not replayed: the next tick is after now.
        const after = new Date(Math.max(Date.now(), tick.getTime()));
        const next = f.cron!.next(after) ?? new Date(8.64e15);
        await tx`update job_schedules set next_at = ${next.toISOString()}, last_tick = ${tick.toISOString()}, updated_at = now() where function_id = ${s.function_id}`;
      }
      return due.length;
    });
  }

  const leaseInterval = sql`make_interval(secs => ${leaseMs / 1000})`;

  /** Claims due runs of ungated functions in one statement (SKIP LOCKED + lease). */
  async function claimUngated(limit: number): Promise<ClaimedRun[]> {
    return sql<ClaimedRun[]>`
      with c as (
        select id, status as prev_status from job_runs
        where status in ('queued', 'running', 'sleeping') and run_at <= now()
          and (claimed_until is null or claimed_until < now())
          and concurrency_limit is null and throttle_key is null
        order by run_at limit ${limit}
        for update skip locked)
      update job_runs r set claimed_until = now() + ${leaseInterval}, claimed_by = ${workerId},
        status = 'running', started_at = coalesce(r.started_at, now())
      from c where r.id = c.id
      returning r.id, r.function_id, r.event, r.attempt, r.planned, r.step_count, c.prev_status`;
  }

  /**
   * Claims runs of functions with concurrency or throttle limits, one key at a time under
   * an advisory lock, so the limits hold across every worker sharing the database.
   */
  async function claimGated(limit: number): Promise<ClaimedRun[]> {
    return sql.begin(async (tx) => {
      const candidates = await tx<
        { id: string; function_id: string; concurrency_limit: number | null; concurrency_key: string | null; throttle_key: string | null; started_at: string | null }[]
      >`
        select id, function_id, concurrency_limit, concurrency_key, throttle_key, started_at from job_runs
        where status in ('queued', 'running', 'sleeping') and run_at <= now()
          and (claimed_until is null or claimed_until < now())
          and (concurrency_limit is not null or throttle_key is not null)
        order by run_at limit ${limit * 4}
        for update skip locked`;
      const claimed: ClaimedRun[] = [];
      const full = new Set<string>();
      for (const c of candidates) {
        if (claimed.length >= limit) break;
        const f = registry.get(c.function_id);
        if (c.concurrency_limit !== null) {
          const slot = `c:${c.function_id}:${c.concurrency_key}`;
          if (full.has(slot)) continue;
          await tx`select pg_advisory_xact_lock(hashtext(${slot}))`;
          const [{ n }] = (await tx<{ n: number }[]>`
            select count(*)::int as n from job_runs
            where function_id = ${c.function_id} and concurrency_key is not distinct from ${c.concurrency_key}
              and claimed_until > now() and status = 'running'`) as unknown as [{ n: number }];
          if (n >= c.concurrency_limit) {
            full.add(slot);
            continue;
          }
        }
        if (c.throttle_key !== null && c.started_at === null && f?.throttle) {
          const key = `t:${c.function_id}:${c.throttle_key}`;
          await tx`select pg_advisory_xact_lock(hashtext(${key}))`;
          const window = sql`make_interval(secs => ${f.throttle.periodMs / 1000})`;
          const [w] = await tx<{ n: number; oldest: string | null }[]>`
            select count(*)::int as n, min(started_at) as oldest from job_runs
            where function_id = ${c.function_id} and throttle_key = ${c.throttle_key}
              and started_at > now() - ${window}`;
          if (w!.n >= f.throttle.limit) {
            const until = new Date((w!.oldest ? Date.parse(w!.oldest) : Date.now()) + f.throttle.periodMs);
            await tx`update job_runs set run_at = ${until.toISOString()} where id = ${c.id}`;
            continue;
          }
        }
        const [row] = await tx<ClaimedRun[]>`
          update job_runs r set claimed_until = now() + ${leaseInterval}, claimed_by = ${workerId},
            status = 'running', started_at = coalesce(r.started_at, now())
          from (select ${c.id}::text as id, status as prev_status from job_runs where id = ${c.id}) c
          where r.id = c.id
          returning r.id, r.function_id, r.event, r.attempt, r.planned, r.step_count, c.prev_status`;
        if (row) claimed.push(row);
      }
      return claimed;
    });
  }

  function backoffMs(attempt: number): number {
    const raw = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(raw * (0.8 + Math.random() * 0.4));
  }

  interface StepWrite {
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
  interface AttemptWrite {
    step_id: string;
    name: string;
    attempt: number;
    error: SerializedError;
  }
  interface RunUpdate {
    status: "queued" | "running" | "sleeping" | "completed" | "failed";
    attempt: number;
    failures: number;
    planned: string[];
    runAt: Date;
    release: boolean;
    output?: unknown;
    error?: SerializedError | null;
  }

  /**
   * Persists a request's outcome in one statement: memoised steps, attempt errors and the
   * run's next state, only while this worker still holds the run's claim.
   */
  async function persist(runId: string, steps: StepWrite[], attempts: AttemptWrite[], u: RunUpdate, extraEvents: Parameters<typeof enqueueEvents>[1] = []): Promise<boolean> {
    const final = u.status === "completed" || u.status === "failed";
    if (final) counters.runsFinished += 1;
    const write = async (q: postgres.Sql | postgres.TransactionSql) => {
      const rows = await q`
        with ok as (
          update job_runs set
            status = ${u.status}, attempt = ${u.attempt}, failures = ${u.failures},
            planned = ${JSON.stringify(u.planned)}::jsonb, run_at = ${u.runAt.toISOString()},
            step_count = step_count + ${steps.length},
            claimed_until = case when ${u.release} then null else claimed_until end,
            claimed_by = case when ${u.release} then null else claimed_by end,
            output = case when ${u.status === "completed"} then ${JSON.stringify(u.output ?? null)}::jsonb else output end,
            error = case when ${u.error !== undefined} then ${JSON.stringify(u.error ?? null)}::jsonb else error end,
            finished_at = case when ${final} then now() else finished_at end
          where id = ${runId} and claimed_by = ${workerId} and status = 'running'
          returning id),
        s as (
          insert into job_steps (run_id, step_id, name, op, status, data, error, attempts, started_at, finished_at)
          select ${runId}, step_id, name, op, status, data, error, attempts, started_at, finished_at
          from jsonb_to_recordset(${JSON.stringify(steps)}::jsonb) as x(
            step_id text, name text, op text, status text, data jsonb, error jsonb, attempts int,
            started_at timestamptz, finished_at timestamptz)
          where exists (select 1 from ok)
          on conflict do nothing),
        a as (
          insert into job_step_attempts (run_id, step_id, name, attempt, error)
          select ${runId}, step_id, name, attempt, error
          from jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) as x(step_id text, name text, attempt int, error jsonb)
          where exists (select 1 from ok)
          on conflict do nothing)
        select count(*)::int as n from ok`;
      return rows[0]!.n === 1;
    };
    if (extraEvents.length === 0) return write(sql);
    return sql.begin(async (tx) => {
      const ok = await write(tx);
      if (ok) {
        const rows = extraEvents.map((e) => ({ id: newId("evt"), name: e.name, data: e.data ?? {}, ts: e.ts ?? Date.now() }));
        await tx`
          insert into job_events (id, name, data, ts)
          select id, name, data, ts from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id text, name text, data jsonb, ts bigint)`;
      }
      return ok;
    });
  }

  async function loadMemo(run: ClaimedRun) {
    const memo = new Map<string, Memo>();
    const stack: string[] = [];
    if (run.step_count === 0) return { memo, stack };
    if (run.prev_status === "sleeping") {
      await sql`update job_steps set status = 'completed' where run_id = ${run.id} and status = 'sleeping' and finished_at <= now()`;
    }
    const rows = await sql<{ step_id: string; status: string; data: unknown; error: unknown; finished_at: string | null }[]>`
      select step_id, status, data, error, finished_at from job_steps where run_id = ${run.id} order by seq`;
    const now = Date.now();
    for (const r of rows) {
      if (r.status === "sleeping" && (!r.finished_at || Date.parse(r.finished_at) > now)) continue;
      memo.set(r.step_id, r.status === "failed" ? { type: "error", error: r.error } : { type: "data", data: r.data });
      stack.push(r.step_id);
    }
    return { memo, stack };
  }

  async function processRun(run: ClaimedRun): Promise<void> {
    const fn = registry.get(run.function_id);
    const heartbeat = setInterval(() => {
      sql`update job_runs set claimed_until = now() + ${leaseInterval} where id = ${run.id} and claimed_by = ${workerId}`.catch(onError);
    }, Math.max(1000, leaseMs / 3));
    try {
      if (!fn) {
        await persist(run.id, [], [], {
          status: "failed", attempt: run.attempt, failures: 0, planned: [], runAt: new Date(), release: true,
          error: { name: "Error", message: `function "${run.function_id}" is not registered in this app` },
        });
        return;
      }
      const { memo, stack } = await loadMemo(run);
      let attempt = run.attempt;
      let planned = run.planned;
      let failures = 0;
      const isFailureHandler = fn.events.some((e) => e.name === FAILED_EVENT);

      const fail = async (error: SerializedError, steps: StepWrite[] = [], attempts: AttemptWrite[] = []) => {
        const events =
          hasFailureListeners && !isFailureHandler
            ? [{ name: FAILED_EVENT, data: { function_id: fn.id, run_id: run.id, error, event: run.event } }]
            : [];
        await persist(run.id, steps, attempts, { status: "failed", attempt, failures: failures + 1, planned: [], runAt: new Date(), release: true, error }, events);
      };

      for (let guard = 0; guard < 10_000; guard++) {
        if (stopped) {
          await persist(run.id, [], [], { status: "running", attempt, failures, planned, runAt: new Date(), release: true });
          return;
        }
        const targets = planned.length ? planned : ["step"];
        counters.requests += targets.length;
        const started = new Date().toISOString();
        const results = await Promise.all(
          targets.map((stepId) =>
            call({ fnId: fn.id, stepId, runId: run.id, event: run.event, memo, stack, attempt, maxAttempts: fn.maxAttempts }).catch((e: unknown) => ({
              kind: "error" as const,
              error: toSerializedError(e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : e),
              retriable: true,
              retryAfterMs: undefined,
            })),
          ),
        );
        const finished = new Date().toISOString();

        const done = results.find((r) => r.kind === "done");
        if (done && done.kind === "done") {
          await persist(run.id, [], [], { status: "completed", attempt: 0, failures, planned: [], runAt: new Date(), release: true, output: done.output, error: null });
          return;
        }
        const rejected = results.find((r) => r.kind === "error");
        if (rejected && rejected.kind === "error") {
          if (!rejected.retriable || attempt + 1 >= fn.maxAttempts) return fail(rejected.error);
          attempt += 1;
          failures += 1;
          const delay = rejected.retryAfterMs ?? backoffMs(attempt);
          await persist(run.id, [], [], { status: "queued", attempt, failures, planned, runAt: new Date(Date.now() + delay), release: true, error: rejected.error });
          return;
        }

        const steps: StepWrite[] = [];
        const attempts: AttemptWrite[] = [];
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
                message: `function "${fn.id}" used ${unsupported} (step "${name}"), which the embedded executor does not support; run an Inngest server (INNGEST_* settings) to use it`,
              });
            }
            switch (op.op) {
              case "StepRun":
              case "Step":
                if (memo.has(op.id)) break;
                memo.set(op.id, { type: "data", data: op.data ?? null });
                stack.push(op.id);
                steps.push({ step_id: op.id, name, op: op.op, status: "completed", data: op.data ?? null, error: null, attempts: attempt + 1, started_at: started, finished_at: finished });
                break;
              case "StepFailed": {
                const error = toSerializedError(op.error);
                memo.set(op.id, { type: "error", error: op.error });
                stack.push(op.id);
                steps.push({ step_id: op.id, name, op: op.op, status: "failed", data: null, error, attempts: attempt + 1, started_at: started, finished_at: finished });
                attempts.push({ step_id: op.id, name, attempt, error });
                break;
              }
              case "StepError":
                retry.push(op.id);
                attempts.push({ step_id: op.id, name, attempt, error: toSerializedError(op.error) });
                break;
              case "Sleep": {
                const until = sleepUntil(op);
                steps.push({ step_id: op.id, name, op: op.op, status: "sleeping", data: null, error: null, attempts: 1, started_at: started, finished_at: until.toISOString() });
                if (!wakeAt || until < wakeAt) wakeAt = until;
                break;
              }
              case "StepPlanned":
                if (!memo.has(op.id) && !nextPlanned.includes(op.id)) nextPlanned.push(op.id);
                break;
              case "StepNotFound":
                return fail({ name: "Error", message: `function "${fn.id}": a planned step was not found (was it renamed?)` });
              default:
                return fail({ name: "NonRetriableError", message: `function "${fn.id}": operation "${op.op}" is not supported by the embedded executor` });
            }
          }
        }

        if (retry.length) {
          // The SDK answered StepError: it still has attempts left for these steps.
          attempt += 1;
          failures += 1;
          const delay = retryAfterMs ?? backoffMs(attempt);
          await persist(run.id, steps, attempts, { status: "queued", attempt, failures, planned: [...retry, ...nextPlanned], runAt: new Date(Date.now() + delay), release: true });
          return;
        }
        const progressed = steps.some((s) => s.status !== "sleeping");
        if (wakeAt && nextPlanned.length === 0 && !progressed) {
          await persist(run.id, steps, attempts, { status: "sleeping", attempt: 0, failures, planned: [], runAt: wakeAt, release: true });
          return;
        }
        if (steps.length === 0 && nextPlanned.length === 0) {
          return fail({ name: "Error", message: `function "${fn.id}": the serve handler answered without progress` });
        }
        attempt = progressed ? 0 : attempt;
        planned = nextPlanned;
        const ok = await persist(run.id, steps, attempts, { status: "running", attempt, failures, planned, runAt: new Date(), release: false });
        if (!ok) return; // the claim was lost (lease expired and another worker took the run)
      }
    } catch (error) {
      onError(error);
      // Leave the claim to expire: another pass (or worker) retries after the lease.
    } finally {
      clearInterval(heartbeat);
    }
  }

  function track(run: ClaimedRun) {
    const p: Promise<void> = processRun(run).finally(() => {
      inflight.delete(p);
      poke();
    });
    inflight.add(p);
  }

  let lastCron = 0;
  workers.__stellerJobWorkers = embeddedWorkerCount() + 1;
  const loop = (async () => {
    while (!stopped) {
      let worked = false;
      try {
        if ((await fanOut()) > 0) worked = true;
        if (Date.now() - lastCron >= Math.min(pollMs, 200)) {
          lastCron = Date.now();
          if ((await fireCron()) > 0) worked = true;
        }
        const free = maxInFlight - inflight.size;
        if (free > 0) {
          const runs = await claimUngated(free);
          const gated = free - runs.length > 0 ? await claimGated(free - runs.length) : [];
          for (const r of [...runs, ...gated]) track(r);
          if (runs.length + gated.length > 0) worked = true;
        }
      } catch (error) {
        if (!stopped) onError(error);
      }
      if (stopped) break;
      if (!worked || inflight.size >= maxInFlight) await sleepOrWake(pollMs);
    }
  })();

  return {
    id: workerId,
    stats: () => ({ ...counters }),
    async stop() {
      if (stopped) return;
      stopped = true;
      poke();
      await loop;
      await Promise.allSettled([...inflight]);
      await listener.unlisten().catch(() => {});
      workers.__stellerJobWorkers = embeddedWorkerCount() - 1;
    },
  };
}
