import type postgres from "postgres";
import { newId } from "@/lib/ids";
import type { Memo, SerializedError } from "./protocol";
import type { AttemptWrite, StepWrite } from "./outcome";
import type { RegisteredFunction } from "./registry";

/**
 * Every statement the embedded executor runs, in one place: fan-out of the outbox, cron ticks,
 * claims, lease renewal, persisting a round, loading a run's memo, and the SDK's event sends.
 *
 * One way of talking to the database here: raw postgres.js (the client under drizzle), not
 * Drizzle. These statements are the executor's hot path and are what Drizzle cannot express
 * except as `sql` templates anyway: data-modifying CTEs, `for update skip locked`, advisory
 * locks, `jsonb_to_recordset` batches, `least()` on leases. Writing them as raw SQL keeps each
 * one a single round trip that reads like the SQL it is. Drizzle stays where callers need it:
 * `runs.ts` (the admin read/cancel API, typed rows) and `outbox.ts`'s `enqueueEvent`, which
 * app code calls inside its own Drizzle transactions so the event commits with the change.
 * Timestamps go in as ISO strings and come back as strings (drizzle turns postgres.js's
 * timestamp (de)serialisers off on the shared client).
 */

const CRON_EVENT = "inngest/scheduled.timer";

export interface ClaimedRun {
  id: string;
  function_id: string;
  event: Record<string, unknown>;
  attempt: number;
  /** Failed attempts so far (kept across claims, shown in the run's detail). */
  failures: number;
  planned: string[];
  step_count: number;
  prev_status: string;
  /**
   * This claim's token (`claimed_by`): the worker's id and a nonce. Renewals and writes hold only
   * while it is the run's, so a call that outlived its claim (the lease ran out and the run was
   * taken again, even by this same worker) can never write over the new claim's work.
   */
  claim: string;
}

/** What a renewal or a write names: the run and the claim it is made under. */
export type Claim = Pick<ClaimedRun, "id" | "claim">;

export interface RunUpdate {
  status: "queued" | "running" | "sleeping" | "completed" | "failed";
  attempt: number;
  failures: number;
  planned: string[];
  runAt: Date;
  release: boolean;
  output?: unknown;
  error?: SerializedError | null;
}

type ExecutorSql = ReturnType<typeof executorSql>;

/** A share of a worker's slots: the runs of these functions (`of: true`) or of every other one (`of: false`). */
export interface Lane {
  functionIds: readonly string[];
  of: boolean;
}

export function executorSql(sql: postgres.Sql, o: { workerId: string; leaseMs: number; registry: Map<string, RegisteredFunction> }) {
  const { workerId, registry } = o;
  const inLane = (lane: Lane | undefined) =>
    !lane || lane.functionIds.length === 0
      ? lane?.of
        ? sql`and false`
        : sql``
      : lane.of
        ? sql`and function_id in ${sql(lane.functionIds as string[])}`
        : sql`and function_id not in ${sql(lane.functionIds as string[])}`;
  const leaseInterval = sql`make_interval(secs => ${o.leaseMs / 1000})`;
  // What every claim sets (a new token: the worker's id and a nonce; a lease) and reads back (a ClaimedRun, `c` the claimed row's prior state).
  const claimSet = sql`claimed_until = now() + ${leaseInterval}, claimed_by = ${workerId}::text || '/' || gen_random_uuid()::text,
    status = 'running', started_at = coalesce(r.started_at, now())`;
  const claimedRun = sql`r.id, r.function_id, r.event, r.attempt, r.failures, r.planned, r.step_count, c.prev_status, r.claimed_by as claim`;
  const byEvent = new Map<string, RegisteredFunction[]>();
  for (const f of registry.values()) {
    for (const e of f.events) byEvent.set(e.name, [...(byEvent.get(e.name) ?? []), f]);
  }
  const cronFns = [...registry.values()].filter((f) => f.cron);

  function concurrencyFields(f: RegisteredFunction, event: Record<string, unknown>) {
    return {
      concurrency_limit: f.concurrency?.limit ?? null,
      concurrency_key: f.concurrency ? (f.concurrency.key?.({ event }) ?? "") : null,
      throttle_key: f.throttle ? (f.throttle.key?.({ event }) ?? "") : null,
      priority_s: f.prioritySeconds ?? 0,
    };
  }

  async function insertRuns(tx: postgres.Sql | postgres.TransactionSql, runs: Record<string, unknown>[]) {
    await tx`
      insert into job_runs (id, function_id, event_id, event, concurrency_limit, concurrency_key, throttle_key, cron_tick, run_at)
      select id, function_id, event_id, event, concurrency_limit, concurrency_key, throttle_key, cron_tick,
        now() - make_interval(secs => coalesce(priority_s, 0))
      from jsonb_to_recordset(${JSON.stringify(runs)}::jsonb) as x(
        id text, function_id text, event_id text, event jsonb, concurrency_limit int,
        concurrency_key text, throttle_key text, cron_tick timestamptz, priority_s int)
      on conflict do nothing`;
  }

  async function insertEvents(tx: postgres.Sql | postgres.TransactionSql, events: { name: string; data?: unknown; id?: string; ts?: number }[]) {
    const rows = events.map((e) => ({ id: newId("evt"), name: e.name, data: e.data ?? {}, key: e.id ?? null, ts: e.ts ?? Date.now() }));
    const inserted = await tx<{ id: string }[]>`
      insert into job_events (id, name, data, key, ts)
      select id, name, data, key, ts from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id text, name text, data jsonb, key text, ts bigint)
      on conflict (key) do nothing
      returning id`;
    if (inserted.length === rows.length) return rows.map((r) => r.id);
    // An event whose idempotency key was already enqueued is dropped: return the earlier id.
    const keys = rows.map((r) => r.key).filter((k): k is string => k !== null);
    const existing = keys.length ? await tx<{ id: string; key: string }[]>`select id, key from job_events where key in ${tx(keys)}` : [];
    const byKey = new Map(existing.map((r) => [r.key, r.id]));
    const ids = new Set(inserted.map((r) => r.id));
    return rows.map((r) => (ids.has(r.id) ? r.id : (byKey.get(r.key!) ?? r.id)));
  }

  return {
    /** The SDK's sends (`inngest.send`, `step.sendEvent`) in embedded mode: to the outbox. */
    enqueue: (events: { name: string; data?: unknown; id?: string; ts?: number }[]) => (events.length ? insertEvents(sql, events) : Promise.resolve([])),

    /** Cron schedules: keep each function's next tick; a changed expression restarts it. */
    async upsertSchedules(now = new Date()) {
      for (const f of cronFns) {
        const next = f.cron!.next(now);
        if (!next) continue;
        await sql`
          insert into job_schedules (function_id, cron, next_at) values (${f.id}, ${f.cron!.expression}, ${next.toISOString()})
          on conflict (function_id) do update set
            cron = excluded.cron,
            next_at = case when job_schedules.cron <> excluded.cron then excluded.next_at else job_schedules.next_at end,
            updated_at = now()`;
      }
    },

    /** Outbox → runs: one run per function each pending event triggers, in one transaction. */
    async fanOut(): Promise<number> {
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
    },

    /** Due cron ticks → runs. The (function, tick) unique index makes a tick fire once. */
    async fireCron(): Promise<number> {
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
    },

    /** Claims due runs of ungated functions of `lane` in one statement (SKIP LOCKED + lease). */
    async claimUngated(limit: number, lane?: Lane): Promise<ClaimedRun[]> {
      return sql<ClaimedRun[]>`
        with c as (
          select id, status as prev_status from job_runs
          where status in ('queued', 'running', 'sleeping') and run_at <= now()
            and (claimed_until is null or claimed_until < now())
            and concurrency_limit is null and throttle_key is null ${inLane(lane)}
          order by run_at limit ${limit}
          for update skip locked)
        update job_runs r set ${claimSet}
        from c where r.id = c.id
        returning ${claimedRun}`;
    },

    /**
     * Claims runs of functions with concurrency or throttle limits, one key at a time under
     * an advisory lock, so the limits hold across every worker sharing the database.
     *
     * Candidates are only runs that could start now: per concurrency key, at most as many as
     * the key has free slots (oldest first). Runs waiting behind a full key (a re-driven order
     * whose first run still runs, a burst for one account) are never candidates, so they cannot
     * fill the candidate list and starve runnable runs of other keys (head-of-line blocking).
     */
    async claimGated(limit: number, lane?: Lane): Promise<ClaimedRun[]> {
      return sql.begin(async (tx) => {
        const candidates = await tx<
          {
            id: string;
            function_id: string;
            concurrency_limit: number | null;
            concurrency_key: string | null;
            throttle_key: string | null;
            started_at: string | null;
          }[]
        >`
          with running as (
            select function_id, concurrency_key, count(*)::int as n from job_runs
            where claimed_until > now() and status = 'running' and concurrency_limit is not null
            group by function_id, concurrency_key),
          due as (
            select id, function_id, concurrency_limit, concurrency_key, run_at,
              row_number() over (partition by function_id, concurrency_key order by run_at, id) as rn
            from job_runs
            where status in ('queued', 'running', 'sleeping') and run_at <= now()
              and (claimed_until is null or claimed_until < now())
              and (concurrency_limit is not null or throttle_key is not null) ${inLane(lane)}),
          runnable as (
            select d.id, d.run_at from due d
            left join running x on x.function_id = d.function_id and x.concurrency_key is not distinct from d.concurrency_key
            where d.concurrency_limit is null or d.rn <= d.concurrency_limit - coalesce(x.n, 0)
            order by d.run_at limit ${limit * 4})
          select j.id, j.function_id, j.concurrency_limit, j.concurrency_key, j.throttle_key, j.started_at
          from job_runs j join runnable r on r.id = j.id
          where j.status in ('queued', 'running', 'sleeping') and (j.claimed_until is null or j.claimed_until < now())
          order by r.run_at
          for update of j skip locked`;
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
            update job_runs r set ${claimSet}
            from (select ${c.id}::text as id, status as prev_status from job_runs where id = ${c.id}) c
            where r.id = c.id
            returning ${claimedRun}`;
          if (row) claimed.push(row);
        }
        return claimed;
      });
    },

    /**
     * Renews a run's lease, never past `until` (the current step's deadline and a grace to record
     * its outcome): a worker that is alive but stuck in a step cannot hold the run longer than the
     * step may take. False when the claim is no longer the run's (cancelled, or the lease ran out
     * and the run was claimed again).
     */
    async renewLease(run: Claim, until: Date): Promise<boolean> {
      const rows = await sql`
        update job_runs set claimed_until = least(now() + ${leaseInterval}, ${until.toISOString()}::timestamptz)
        where id = ${run.id} and claimed_by = ${run.claim} and status = 'running'
        returning 1`;
      return rows.length === 1;
    },

    /**
     * Persists a round's outcome in one statement: memoised steps, attempt errors and the
     * run's next state, only while this worker still holds the run's claim (a cancelled run,
     * or one another worker took after the lease, is not written).
     */
    async persist(
      run: Claim,
      steps: StepWrite[],
      attempts: AttemptWrite[],
      u: RunUpdate,
      extraEvents: { name: string; data?: unknown }[] = [],
    ): Promise<boolean> {
      const final = u.status === "completed" || u.status === "failed";
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
            where id = ${run.id} and claimed_by = ${run.claim} and status = 'running'
            returning id),
          s as (
            insert into job_steps (run_id, step_id, name, op, status, data, error, attempts, started_at, finished_at)
            select ${run.id}, step_id, name, op, status, data, error, attempts, started_at, finished_at
            from jsonb_to_recordset(${JSON.stringify(steps)}::jsonb) as x(
              step_id text, name text, op text, status text, data jsonb, error jsonb, attempts int,
              started_at timestamptz, finished_at timestamptz)
            where exists (select 1 from ok)
            on conflict do nothing),
          a as (
            insert into job_step_attempts (run_id, step_id, name, attempt, error)
            select ${run.id}, step_id, name, attempt, error
            from jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) as x(step_id text, name text, attempt int, error jsonb)
            where exists (select 1 from ok)
            on conflict do nothing)
          select count(*)::int as n from ok`;
        return rows[0]!.n === 1;
      };
      if (extraEvents.length === 0) return write(sql);
      return sql.begin(async (tx) => {
        const ok = await write(tx);
        if (ok) await insertEvents(tx, extraEvents);
        return ok;
      });
    },

    /** The memo (completed and failed steps) and the order they finished in, for the next call. */
    async loadMemo(run: ClaimedRun) {
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
    },
  };
}
