/**
 * `npm run worker`: the embedded job executor on its own, no HTTP server. It runs every function
 * (order fulfilment, webhooks, email, crons) against the same database as the web processes, which
 * can then be started with JOBS_EXECUTOR=off so API requests do not share an event loop with
 * fulfilment. Several workers may run at once (runs are claimed with a lease). Same start-up as
 * the web process: environment checks, waiting for the database, migrations. SIGINT/SIGTERM stop
 * claiming, let runs in flight finish (JOBS_STOP_TIMEOUT_MS), then exit.
 *
 * With no DATABASE_URL it uses the embedded PostgreSQL of `npm start`/`npm run dev` under
 * STELLER_DATA_DIR (reused when already running; started, and stopped again, otherwise).
 */
import { inngestMode } from "@/lib/env";
import { bootProcess } from "@/server/boot/process";
import { closeDatabases } from "@/server/db/client";
import { startJobs } from "@/server/jobs";
import { functions } from "@/server/jobs/functions";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
// `npm run worker -- --dev` beside `npm run dev`: development defaults, and local webhook receivers allowed as dev.ts does.
const dev = process.argv.includes("--dev");
if (dev) process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ??= "true";
const { env, local, services } = await bootProcess({ dev });

if (inngestMode(env) === "server") {
  console.error(
    "\nnpm run worker runs the embedded executor; this environment is in Inngest server mode (INNGEST_* set), where the Inngest server calls /api/inngest instead.\n",
  );
  await closeDatabases();
  await local.embedded?.stop();
  process.exit(1);
}

const jobs = await startJobs({ db: services.db, role: "worker", worker: { services: () => services, onError: (e) => console.error("[worker]", e) } });
console.log(
  `Steller worker (pid ${process.pid}) running the embedded executor (${functions.length} functions, no HTTP server)` +
    `\n  database: ${local.embedded ? "embedded PostgreSQL" : "DATABASE_URL"}${local.notes.map((n) => `\n  note:     ${n}`).join("")}`,
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the worker (runs in flight get up to ${env.JOBS_STOP_TIMEOUT_MS} ms)…`);
  await jobs.stop();
  await closeDatabases();
  await local.embedded?.stop();
  console.log("Stopped.");
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
