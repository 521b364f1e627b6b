import os from "node:os";
import { randomBytes } from "node:crypto";
import type { Inngest, InngestFunction } from "inngest";
import type postgres from "postgres";
import type { Db } from "@/server/db/client";
import { inngest as defaultClient, stepStartHooks } from "../client";
import { processSingleton } from "@/lib/process-singletons";
import { servicesOver, type Services } from "@/server/boot/services";
import { backoffDelay, deadlineTable, decideRound, FAILED_EVENT, type DeadlineConfig, type Decision, type RoundResult } from "./outcome";
import { createProtocolClient, toSerializedError, type SerializedError } from "./protocol";
import { registerFunctions } from "./registry";
import { executorSql, type ClaimedRun } from "./sql";

export interface EmbeddedWorkerOptions {
  db: Db;
  functions: readonly InngestFunction.Any[];
  client?: Inngest.Any;
  /**
   * What the functions this worker runs get as `services` (see boot/services.ts), built on first
   * use. Default: the process's services when they are over `db` (the boot's worker), else
   * services built over `db` from the environment (`servicesOver`).
   */
  services?: () => Services;
  /** Names this worker in `claimed_by`; unique per process by default. */
  workerId?: string;
  /** Runs processed at once by this worker (those of `outbound` functions aside). */
  maxInFlight?: number;
  /**
   * Functions whose steps wait on other people's servers (webhook deliveries: an endpoint may take
   * its whole timeout): their runs have slots of their own, so however many hang they never hold
   * the slots fulfilment needs, nor fulfilment theirs. Local function ids (without the app's prefix).
   */
  outbound?: { functions: readonly string[]; maxInFlight: number };
  /** How long a claim lasts without renewal; a crashed worker's runs are retaken after it. */
  leaseMs?: number;
  /** Fallback polling interval (LISTEN/NOTIFY wakes the worker sooner). */
  pollMs?: number;
  /** Retry delay: baseMs · 2^(attempt-1), at most maxMs, ±20% jitter. */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * Step deadlines: a default for every function (5 min unless set), per function, per step.
   * A call still unanswered at its deadline is a failed attempt, retried with backoff.
   */
  deadlines?: Partial<DeadlineConfig>;
  /** How long `stop()` waits for runs in flight before leaving them for another worker (10 s). */
  stopTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

export interface EmbeddedWorker {
  id: string;
  /** Counters since start: requests made to the serve handler, runs finished, calls past their deadline. */
  stats(): { requests: number; runsFinished: number; deadlinesExceeded: number; inFlight: number };
  /** Stops claiming, waits up to `stopTimeoutMs` for runs in flight, then leaves the rest. */
  stop(): Promise<void>;
}

const DEFAULT_STEP_DEADLINE_MS = 5 * 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** A process singleton: the boot's copy of this module starts workers, the health route of Next's bundle counts them. */
const workers = () => processSingleton("embedded-workers", () => ({ running: 0 }));
/** How many embedded workers run in this process (for health). */
export function embeddedWorkerCount(): number {
  return workers().running;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/**
 * Starts the embedded stand-in for an Inngest server: it turns outbox events into runs,
 * fires cron ticks, and drives each run through the app's serve handler, keeping every
 * step's outcome in Postgres. Several workers (processes) can share one database.
 *
 * This file is the loop only: the SQL is in ./sql, what an answer means in ./outcome.
 */
export async function startEmbeddedWorker(opts: EmbeddedWorkerOptions): Promise<EmbeddedWorker> {
  const client = opts.client ?? defaultClient;
  const sql = (opts.db as unknown as { $client: postgres.Sql }).$client;
  const registry = registerFunctions(client.id, opts.functions);
  let defaults: Services | undefined;
  const call = createProtocolClient(client, opts.functions, opts.services ?? (() => (defaults ??= servicesOver(opts.db))));
  const workerId = opts.workerId ?? `wkr_${os.hostname()}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const maxInFlight = opts.maxInFlight ?? 16;
  const outboundIds = (opts.outbound?.functions ?? []).map((id) => `${client.id}-${id}`);
  for (const id of outboundIds) if (!registry.has(id)) throw new Error(`embedded jobs: outbound function "${id}" is not registered`);
  const lanes = [
    { lane: { functionIds: outboundIds, of: false }, max: maxInFlight, inflight: new Set<Promise<void>>() },
    ...(outboundIds.length ? [{ lane: { functionIds: outboundIds, of: true }, max: opts.outbound!.maxInFlight, inflight: new Set<Promise<void>>() }] : []),
  ];
  const leaseMs = opts.leaseMs ?? 15_000;
  const pollMs = opts.pollMs ?? 250;
  const backoff = opts.backoff ?? { baseMs: 2_000, maxMs: 3_600_000 };
  const stopTimeoutMs = opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const renewEveryMs = Math.max(250, Math.min(5_000, leaseMs / 3));
  const defaultDeadlineMs = opts.deadlines?.defaultMs ?? DEFAULT_STEP_DEADLINE_MS;
  const deadlines = deadlineTable(client.id, { defaultMs: defaultDeadlineMs, functions: opts.deadlines?.functions });
  const onError = opts.onError ?? ((e: unknown) => console.error("[jobs] embedded worker error:", e));
  const hasFailureListeners = [...registry.values()].some((f) => f.events.some((e) => e.name === FAILED_EVENT));
  const db = executorSql(sql, { workerId, leaseMs, registry });

  let stopped = false;
  const counters = { requests: 0, runsFinished: 0, deadlinesExceeded: 0 };
  const inflight = new Map<Promise<void>, { abandon: () => void }>();
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
  await db.upsertSchedules();

  async function processRun(run: ClaimedRun, control: { abandoned: Promise<"abandoned">; abandon: () => void }): Promise<void> {
    const fn = registry.get(run.function_id);
    // The lease is renewed only until `deadlineAt` and a grace after it: the current call's step
    // deadline, or a bound on our own bookkeeping between calls. The grace (one renewal period)
    // lets the worker record a call that passed its deadline as a failed attempt (and its backoff)
    // under its own claim: were the lease to end with the deadline, the run could be claimed again
    // at that very moment and retried at once, the attempt unrecorded. Past it the run is left to expire.
    let deadlineAt = Date.now() + defaultDeadlineMs;
    const heartbeat = setInterval(() => {
      if (Date.now() >= deadlineAt) return;
      db.renewLease(run, new Date(deadlineAt + renewEveryMs)).then((mine) => {
        // Cancelled, or taken by another worker: stop waiting for the step.
        if (!mine) control.abandon();
      }, onError);
    }, renewEveryMs);
    const persist = async (...args: Parameters<typeof db.persist>) => {
      const ok = await db.persist(...args);
      if (ok && (args[3].status === "completed" || args[3].status === "failed")) counters.runsFinished += 1;
      return ok;
    };
    try {
      if (!fn) {
        await persist(run, [], [], {
          status: "failed",
          attempt: run.attempt,
          failures: 0,
          planned: [],
          runAt: new Date(),
          release: true,
          error: { name: "Error", message: `function "${run.function_id}" is not registered in this app` },
        });
        return;
      }
      const { memo, stack } = await db.loadMemo(run);
      let attempt = run.attempt;
      let planned = run.planned;
      const failures = run.failures;
      const isFailureHandler = fn.events.some((e) => e.name === FAILED_EVENT);
      const failedEvents = (error: SerializedError) =>
        hasFailureListeners && !isFailureHandler ? [{ name: FAILED_EVENT, data: { function_id: fn.id, run_id: run.id, error, event: run.event } }] : [];

      for (let guard = 0; guard < 10_000; guard++) {
        if (stopped) {
          await persist(run, [], [], { status: "running", attempt, failures, planned, runAt: new Date(), release: true });
          return;
        }
        const targets = planned.length ? planned : ["step"];
        counters.requests += targets.length;
        const started = new Date().toISOString();
        const calls = targets.map((stepId) => {
          const d = {
            stepId,
            limit: deadlines.forCall(fn.id, stepId),
            endsAt: 0,
            timer: undefined as NodeJS.Timeout | undefined,
            expire: (_: RoundResult) => {},
          };
          const expired = new Promise<RoundResult>((resolve) => (d.expire = resolve));
          const arm = () => {
            clearTimeout(d.timer);
            d.endsAt = Date.now() + d.limit.ms;
            deadlineAt = Math.max(...callDeadlines.map((c) => c.endsAt), d.endsAt);
            d.timer = setTimeout(() => d.expire({ kind: "deadline", stepId: d.stepId, stepLabel: d.limit.label, deadlineMs: d.limit.ms }), d.limit.ms);
          };
          const answer = call({ fnId: fn.id, stepId, runId: run.id, event: run.event, memo, stack, attempt, maxAttempts: fn.maxAttempts }).catch(
            (e: unknown): RoundResult => ({
              kind: "error",
              error: toSerializedError(e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : e),
              retriable: true,
              retryAfterMs: undefined,
            }),
          );
          // A step that never settles must not hold the run: at its deadline we stop waiting
          // (the promise is left behind; a late answer is ignored).
          return { d, arm, result: Promise.race([answer, expired]) };
        });
        const callDeadlines = calls.map((c) => c.d);
        for (const c of calls) c.arm();
        // The handler names the step it starts: from then on that step's deadline applies.
        stepStartHooks().set(run.id, (hashedId, id) => {
          const c = calls.find((x) => x.d.stepId === hashedId) ?? calls.find((x) => x.d.stepId === "step");
          if (!c) return;
          c.d.limit = deadlines.forStep(fn.id, hashedId, id);
          if (c.d.stepId === "step") c.d.stepId = hashedId;
          c.arm();
        });
        const results = await Promise.race([Promise.all(calls.map((c) => c.result)), control.abandoned]);
        stepStartHooks().delete(run.id);
        for (const c of calls) clearTimeout(c.d.timer);
        if (results === "abandoned") return;
        deadlineAt = Date.now() + defaultDeadlineMs;
        counters.deadlinesExceeded += results.filter((r) => r.kind === "deadline").length;

        const d: Decision = decideRound(results, {
          fnId: fn.id,
          attempt,
          failures,
          maxAttempts: fn.maxAttempts,
          planned,
          memo,
          started,
          finished: new Date().toISOString(),
          now: Date.now(),
          backoffMs: (a) => backoffDelay(a, backoff),
        });
        switch (d.kind) {
          case "complete":
            await persist(run, [], [], {
              status: "completed",
              attempt: 0,
              failures,
              planned: [],
              runAt: new Date(),
              release: true,
              output: d.output,
              error: null,
            });
            return;
          case "fail":
            await persist(
              run,
              d.steps,
              d.attempts,
              { status: "failed", attempt, failures: failures + 1, planned: [], runAt: new Date(), release: true, error: d.error },
              failedEvents(d.error),
            );
            return;
          case "retry":
            await persist(run, d.steps, d.attempts, {
              status: "queued",
              attempt: d.attempt,
              failures: d.failures,
              planned: d.planned,
              runAt: d.runAt,
              release: true,
              ...(d.error ? { error: d.error } : {}),
            });
            return;
          case "sleep":
            await persist(run, d.steps, d.attempts, { status: "sleeping", attempt: 0, failures, planned: [], runAt: d.runAt, release: true });
            return;
          case "continue": {
            for (const [id, m] of d.memo) {
              memo.set(id, m);
              stack.push(id);
            }
            attempt = d.attempt;
            planned = d.planned;
            const ok = await persist(run, d.steps, d.attempts, { status: "running", attempt, failures, planned, runAt: new Date(), release: false });
            if (!ok) return; // cancelled, or the claim was lost (lease expired and another worker took the run)
          }
        }
      }
    } catch (error) {
      onError(error);
      // Leave the claim to expire: another pass (or worker) retries after the lease.
    } finally {
      clearInterval(heartbeat);
    }
  }

  function track(run: ClaimedRun, lane: Set<Promise<void>>) {
    let abandon!: () => void;
    const abandoned = new Promise<"abandoned">((resolve) => {
      abandon = () => resolve("abandoned");
    });
    const p: Promise<void> = processRun(run, { abandoned, abandon }).finally(() => {
      inflight.delete(p);
      lane.delete(p);
      poke();
    });
    inflight.set(p, { abandon });
    lane.add(p);
  }

  let lastCron = 0;
  workers().running++;
  const loop = (async () => {
    while (!stopped) {
      let worked = false;
      try {
        if ((await db.fanOut()) > 0) worked = true;
        if (Date.now() - lastCron >= Math.min(pollMs, 200)) {
          lastCron = Date.now();
          if ((await db.fireCron()) > 0) worked = true;
        }
        for (const l of lanes) {
          const free = l.max - l.inflight.size;
          if (free <= 0 || stopped) continue;
          const runs = await db.claimUngated(free, l.lane);
          const gated = free - runs.length > 0 ? await db.claimGated(free - runs.length, l.lane) : [];
          for (const r of [...runs, ...gated]) track(r, l.inflight);
          if (runs.length + gated.length > 0) worked = true;
        }
      } catch (error) {
        if (!stopped) onError(error);
      }
      if (stopped) break;
      if (!worked || lanes.every((l) => l.inflight.size >= l.max)) await sleepOrWake(pollMs);
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    id: workerId,
    stats: () => ({ ...counters, inFlight: inflight.size }),
    stop() {
      stopping ??= (async () => {
        stopped = true;
        poke();
        // Runs in flight finish their current step and release their claim; a step that does
        // not finish in time is left behind: its run is retaken by another worker after its lease.
        const drained = (async () => {
          await loop;
          await Promise.allSettled([...inflight.keys()]);
        })();
        const timedOut = await Promise.race([drained.then(() => false), sleep(stopTimeoutMs).then(() => true)]);
        if (timedOut) {
          const left = inflight.size;
          for (const r of inflight.values()) r.abandon();
          await Promise.race([Promise.allSettled([...inflight.keys()]), sleep(1_000)]);
          if (left) console.warn(`[jobs] stopped after ${stopTimeoutMs} ms with ${left} run(s) in flight; they are retaken after their lease`);
        }
        await Promise.race([listener.unlisten().catch(() => {}), sleep(1_000)]);
        workers().running--;
      })();
      return stopping;
    },
  };
}
