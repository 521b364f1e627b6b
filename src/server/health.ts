import { sql } from "drizzle-orm";
import { inngestMode } from "@/lib/env";
import type { DbOrTx } from "@/server/db/client";

export interface Health {
  status: "ok" | "degraded";
  app: { status: "ok"; version: string; uptimeSeconds: number };
  database: { status: "ok" | "down"; latencyMs?: number; error?: string };
  jobs: { mode: "embedded" | "server" };
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
    jobs: { mode: inngestMode() },
  };
}
