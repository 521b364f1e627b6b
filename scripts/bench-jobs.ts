/**
 * Embedded job execution throughput: `npx tsx scripts/bench-jobs.ts [runs]`.
 * Starts its own PostgreSQL (port 55452, .data/bench-jobs), enqueues one-step runs and
 * reports runs/s, enqueue→start latency and database round trips per run.
 */
import path from "node:path";
import postgres from "postgres";
import { createDatabase } from "../src/server/db/client";
import { startLocalPostgres } from "../src/server/db/embedded";
import { runMigrations } from "../src/server/db/migrate";
import { inngest } from "../src/server/jobs/client";
import { startEmbeddedWorker } from "../src/server/jobs/executor/worker";
import { enqueueEvent } from "../src/server/outbox";

const RUNS = Number(process.argv[2] ?? 1000);
const pg = await startLocalPostgres({ dir: path.resolve(".data/bench-jobs"), port: 55452, fresh: true });
const admin = postgres(pg.baseUrl, { max: 1, onnotice: () => {} });
await admin.unsafe("drop database if exists bench_jobs with (force)");
await admin.unsafe("create database bench_jobs");
await admin.end();
const url = pg.urlFor("bench_jobs");
await runMigrations(url);

const database = createDatabase(url, Number(process.env.BENCH_POOL ?? 20));
const starts = new Map<string, number>();
const bench = inngest.createFunction({ id: "bench-one-step", triggers: [{ event: "test/bench" }] }, async ({ step, event }) => {
  const id = (event.data as { i: number }).i;
  if (!starts.has(String(id))) starts.set(String(id), Date.now());
  return step.run("only", () => id);
});

async function statementCount(): Promise<number> {
  const [r] = await database.sql<{ n: string }[]>`select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`;
  return Number(r!.n);
}

// Warm up the SDK and the connection pool.
const worker = await startEmbeddedWorker({ db: database.db, functions: [bench], pollMs: 100, maxInFlight: Number(process.env.BENCH_IN_FLIGHT ?? 32) });
await enqueueEvent(database.db, { name: "test/bench", data: { i: -1 } });
while (starts.size < 1) await new Promise((r) => setTimeout(r, 20));

await database.sql`select pg_stat_force_next_flush()`;
const before = await statementCount();
const enqueued = new Map<string, number>();
const t0 = Date.now();
// Arrivals spread over time (batches of 10 every 10 ms) as requests would enqueue them.
for (let i = 0; i < RUNS; i += 10) {
  const batch = Array.from({ length: Math.min(10, RUNS - i) }, (_, k) => i + k);
  const now = Date.now();
  await enqueueEvent(
    database.db,
    batch.map((n) => ({ name: "test/bench" as const, data: { i: n } })),
  );
  for (const n of batch) enqueued.set(String(n), now);
  await new Promise((r) => setTimeout(r, 10));
}
for (;;) {
  const [r] = await database.sql<{ n: number }[]>`select count(*)::int as n from job_runs where status = 'completed'`;
  if (r!.n >= RUNS + 1) break;
  await new Promise((r) => setTimeout(r, 20));
}
const elapsed = (Date.now() - t0) / 1000;
await database.sql`select pg_stat_force_next_flush()`;
const statements = (await statementCount()) - before;
const latencies = [...enqueued].map(([id, at]) => starts.get(id)! - at).sort((a, b) => a - b);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// Start latency below saturation: 100 runs arriving one every 40 ms (25/s).
for (let n = 0; n < 100; n++) {
  const id = RUNS + 1000 + n;
  const at = Date.now();
  await enqueueEvent(database.db, { name: "test/bench", data: { i: id } });
  await new Promise((r) => setTimeout(r, 40));
  enqueued.set(String(id), at);
}
for (;;) {
  const [r] = await database.sql<{ n: number }[]>`select count(*)::int as n from job_runs where status = 'completed'`;
  if (r!.n >= RUNS + 101) break;
  await new Promise((r) => setTimeout(r, 20));
}
const pacedLatencies = Array.from({ length: 100 }, (_, n) => String(RUNS + 1000 + n))
  .map((id) => starts.get(id)! - enqueued.get(id)!)
  .sort((a, b) => a - b);
await worker.stop();
await database.close();
await pg.stop();

console.log(`\nembedded jobs, one-step function, ${RUNS} runs, 1 worker (max 32 in flight)`);
console.table({
  "runs/s": Math.round(RUNS / elapsed),
  "start latency p50 at saturation (ms)": pct(latencies, 50),
  "start latency p95 at saturation (ms)": pct(latencies, 95),
  "start latency p50 at 25 runs/s (ms)": pct(pacedLatencies, 50),
  "start latency p95 at 25 runs/s (ms)": pct(pacedLatencies, 95),
  "DB transactions per run": (statements / RUNS).toFixed(2),
  "serve-handler requests per run": (worker.stats().requests / (RUNS + 101)).toFixed(2),
});
