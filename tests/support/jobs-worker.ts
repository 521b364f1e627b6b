/**
 * A worker process for the crash test: `npx tsx tests/support/jobs-worker.ts <database url>`.
 * Runs the test functions on the embedded executor until killed.
 */
import { createDatabase } from "@/server/db/client";
import { startEmbeddedWorker } from "@/server/jobs/executor/worker";
import { makeTestFunctions } from "./jobs-functions";

const url = process.argv[2];
if (!url) throw new Error("usage: jobs-worker.ts <database url>");
const database = createDatabase(url, 10);
const fns = makeTestFunctions(database.sql, { stepDelayMs: Number(process.env.STEP_DELAY_MS ?? 200) });
await startEmbeddedWorker({
  db: database.db,
  functions: Object.values(fns),
  pollMs: 50,
  leaseMs: Number(process.env.LEASE_MS ?? 1500),
  backoff: { baseMs: 50, maxMs: 200 },
});
console.log("worker ready");
