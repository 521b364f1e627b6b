import { sql } from "drizzle-orm";
import { env, inngestMode } from "@/lib/env";
import { errorChain } from "@/lib/error-chain";
import type { DbOrTx } from "@/server/db/client";
import { embeddedWorkerCount } from "@/server/jobs/executor/worker";
import type { RequestLogWriter } from "@/server/requestlog/writer";
import { liveVendorIsMock } from "@/server/supplier/bamboo";

export interface Health {
  status: "ok" | "degraded";
  app: { status: "ok"; version: string; uptimeSeconds: number };
  database: {
    status: "ok" | "down";
    latencyMs?: number;
    error?: string;
    /** This process's pool: connections in use and queries waiting for one. */
    pool?: { size: number; inUse: number; waiting: number };
  };
  /**
   * `worker`: whether this process runs the embedded executor ("relay" in server mode; "off" when
   * JOBS_EXECUTOR=off leaves it to separate `npm run worker` processes, which this check cannot see).
   */
  jobs: { mode: "embedded" | "server"; worker: "running" | "stopped" | "relay" | "off" };
  /** The live environment's vendor: the real Bamboo, or the built-in mock when none is configured. */
  vendor: { live: "bamboo" | "mock"; sandbox: "mock" };
  requestLog: { buffered: number; written: number; dropped: number; enabled: boolean };
}

/** How long the health check waits for the database before it says `down`. */
const HEALTH_DATABASE_TIMEOUT_MS = 2_000;

/**
 * Checks the parts the app cannot work without; `degraded` maps to HTTP 503. Answers within about
 * HEALTH_DATABASE_TIMEOUT_MS whatever the database does: while it restarts (the pool reconnects on
 * its own) or while the pool is saturated, the database is `down` and the app `degraded`.
 */
export async function checkHealth(
  db: DbOrTx,
  opts: { pool?: Health["database"]["pool"] | null; timeoutMs?: number; requestLog?: Pick<RequestLogWriter, "stats"> } = {},
): Promise<Health> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? HEALTH_DATABASE_TIMEOUT_MS;
  let database: Health["database"];
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.execute(sql`select 1`),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    database = { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    database = { status: "down", error: describeDown(error) };
  } finally {
    clearTimeout(timer);
  }
  if (opts.pool) database.pool = opts.pool;
  return {
    status: database.status === "ok" ? "ok" : "degraded",
    app: { status: "ok", version: process.env.npm_package_version ?? "0.1.0", uptimeSeconds: Math.round(process.uptime()) },
    database,
    jobs: jobsHealth(),
    vendor: { live: liveVendorIsMock() ? "mock" : "bamboo", sandbox: "mock" },
    requestLog: opts.requestLog?.stats() ?? { buffered: 0, written: 0, dropped: 0, enabled: false },
  };
}

function jobsHealth(): Health["jobs"] {
  const e = env();
  const mode = inngestMode(e);
  if (mode === "server") return { mode, worker: "relay" };
  if (embeddedWorkerCount() > 0) return { mode, worker: "running" };
  return { mode, worker: e.JOBS_EXECUTOR === "off" ? "off" : "stopped" };
}

/** A short reason, never the query or a stack: unreachable, restarting, timed out or busy. */
function describeDown(error: unknown): string {
  for (const { code, message } of errorChain(error)) {
    if (code === "POOL_ACQUIRE_TIMEOUT") return "database busy: no connection of the pool free";
    if (code === "57P03" || code === "57P01" || code === "57P02") return "database restarting or shutting down";
    if (typeof message === "string" && message.startsWith("no answer within")) return `database did not answer (${message})`;
  }
  return "database unreachable";
}
