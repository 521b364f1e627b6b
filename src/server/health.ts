import { sql } from "drizzle-orm";
import { inngestMode } from "@/lib/env";
import type { DbOrTx } from "@/server/db/client";
import { embeddedWorkerCount } from "@/server/jobs/executor/worker";
import { requestLog } from "@/server/requestlog/writer";
import { liveVendorIsMock } from "@/server/vendor/bamboo";

export interface Health {
  status: "ok" | "degraded";
  app: { status: "ok"; version: string; uptimeSeconds: number };
  database: { status: "ok" | "down"; latencyMs?: number; error?: string };
  /** `worker`: whether this process runs the embedded executor ("relay" in server mode). */
  jobs: { mode: "embedded" | "server"; worker: "running" | "stopped" | "relay" };
  /** The live environment's vendor: the real Bamboo, or the built-in mock when none is configured. */
  vendor: { live: "bamboo" | "mock"; sandbox: "mock" };
  requestLog: { buffered: number; written: number; dropped: number; enabled: boolean };
}

/** Checks the parts the app cannot work without; `degraded` maps to HTTP 503. */
export async function checkHealth(db: DbOrTx): Promise<Health> {
  const started = performance.now();
  let database: Health["database"];
  try {
    await db.execute(sql`select 1`);
    database = { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch {
    database = { status: "down", error: "database unreachable" };
  }
  return {
    status: database.status === "ok" ? "ok" : "degraded",
    app: { status: "ok", version: process.env.npm_package_version ?? "0.1.0", uptimeSeconds: Math.round(process.uptime()) },
    database,
    jobs: jobsHealth(),
    vendor: { live: liveVendorIsMock() ? "mock" : "bamboo", sandbox: "mock" },
    requestLog: requestLog().stats(),
  };
}

function jobsHealth(): Health["jobs"] {
  const mode = inngestMode();
  return { mode, worker: mode === "server" ? "relay" : embeddedWorkerCount() > 0 ? "running" : "stopped" };
}
