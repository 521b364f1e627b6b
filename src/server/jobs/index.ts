import type { InngestFunction } from "inngest";
import { loadEnv } from "@/lib/env";
import { DEFAULT_RETRY } from "@/server/supplier/bamboo/config";
import { vendorStepDeadlineMs } from "./executor/outcome";
import type { Db } from "@/server/db/client";
import { inngest, jobsMode } from "./client";
import { startEmbeddedWorker, type EmbeddedWorkerOptions } from "./executor/worker";
import { functions as appFunctions } from "./functions";
import { startOutboxRelay } from "./relay";

export { inngest, jobsMode } from "./client";
export * from "@/server/outbox/events";
export { enqueueEvent } from "@/server/outbox";
export { startEmbeddedWorker, embeddedWorkerCount } from "./executor/worker";
export { listRuns, getRun, rerunFailedRun, cancelRun } from "./runs";

/**
 * Starts background work for this process: the embedded worker (no Inngest server), or the
 * outbox relay to the Inngest server. Returns a stop function. A web process (`role: "web"`, the
 * default) with JOBS_EXECUTOR=off runs no executor: separate `npm run worker` processes
 * (`role: "worker"`) do.
 */
export async function startJobs(opts: {
  db: Db;
  functions?: readonly InngestFunction.Any[];
  worker?: Omit<EmbeddedWorkerOptions, "db" | "functions">;
  role?: "web" | "worker";
}): Promise<{ mode: "embedded" | "server"; executor: boolean; stop: () => Promise<void> }> {
  const mode = jobsMode();
  if (mode === "embedded") {
    if ((opts.role ?? "web") === "web" && loadEnv().JOBS_EXECUTOR === "off") return { mode, executor: false, stop: async () => {} };
    const worker = await startEmbeddedWorker({
      db: opts.db,
      functions: opts.functions ?? appFunctions,
      ...embeddedWorkerSettings(opts.role ?? "web"),
      ...opts.worker,
    });
    return { mode, executor: true, stop: () => worker.stop() };
  }
  const relay = startOutboxRelay({
    db: opts.db,
    send: (events) => inngest.send(events),
    onError: (e) => console.error("[jobs] outbox relay error:", e),
  });
  return { mode, executor: false, stop: () => relay.stop() };
}

/**
 * Runs at once when JOBS_MAX_IN_FLIGHT is unset. A web process's executor shares one event loop
 * with the API: every run in flight interleaves its step's callbacks with the requests', so a burst
 * of settlements (many batches reaching their slots together) held each request's turns behind up
 * to 16 runs' (bench, stop 18: orders p99 168–288 ms at 50 % of the maximum with 16, 57 ms with 4;
 * fulfilment (a)–(d) unchanged). A worker process has nothing else to serve.
 */
const DEFAULT_IN_FLIGHT = { web: 4, worker: 16 } as const;
/** Webhook deliveries at once, beside those: each mostly waits on a partner's endpoint, not on our CPU. */
const OUTBOUND_IN_FLIGHT = 16;

/**
 * Deadlines, runs at once and shutdown wait from the environment. The steps of the fulfil and vendor-batch
 * functions (placement and polls) are vendor calls: their deadline is the longest the vendor client may rightly take
 * (every attempt to BAMBOO_TIMEOUT_MS, the backoff between, one limiter wait of BAMBOO_MAX_WAIT_MS), at most
 * JOBS_STEP_DEADLINE_MS.
 */
export function embeddedWorkerSettings(role: "web" | "worker"): Pick<EmbeddedWorkerOptions, "deadlines" | "stopTimeoutMs" | "maxInFlight" | "outbound"> {
  const e = loadEnv();
  const vendorMs = Math.min(e.JOBS_STEP_DEADLINE_MS, vendorStepDeadlineMs({ ...DEFAULT_RETRY, timeoutMs: e.BAMBOO_TIMEOUT_MS }, e.BAMBOO_MAX_WAIT_MS));
  return {
    deadlines: { defaultMs: e.JOBS_STEP_DEADLINE_MS, functions: { "order-fulfil": { ms: vendorMs }, "order-batch": { ms: vendorMs } } },
    stopTimeoutMs: e.JOBS_STOP_TIMEOUT_MS,
    maxInFlight: e.JOBS_MAX_IN_FLIGHT ?? DEFAULT_IN_FLIGHT[role],
    // Webhook deliveries wait on partners' endpoints (up to their timeout each): slots of their own.
    outbound: { functions: ["webhook-deliver"], maxInFlight: OUTBOUND_IN_FLIGHT },
  };
}
