import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";

const DIST_DIR = ".next-bench";

/**
 * `next build` into DIST_DIR. Next adds `<distDir>/types/**` entries to tsconfig.json's
 * `include` when it sees a new dist folder; that file is not the benchmark's, so exactly those
 * entries are taken out again (anything else changed meanwhile is left alone).
 */
export function buildApp(): void {
  try {
    const r = spawnSync(path.resolve("node_modules/.bin/next"), ["build"], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (r.status !== 0) throw new Error(`next build failed (exit ${r.status ?? r.signal})`);
  } finally {
    const text = fs.readFileSync("tsconfig.json", "utf8");
    const ours = new RegExp(`,\\n\\s*"${DIST_DIR.replace(".", "\\.")}/[^"]*"`, "g");
    if (ours.test(text)) fs.writeFileSync("tsconfig.json", text.replace(ours, ""));
  }
}

export interface BenchServer {
  url: string;
  /** The server's process id (PostgreSQL runs under the first server started). */
  pid: number;
  databaseUrl: string;
  /** SIGINT (the app stops HTTP, jobs, then PostgreSQL), SIGKILL to the group after a grace period. */
  stop(): Promise<void>;
  logFile: string;
}

export interface ServerOptions {
  port: number;
  pgPort: number;
  dataDir: string;
  fresh: boolean;
  requestLog: boolean;
  logFile: string;
  /** Called as soon as the process exists, before it is ready, so a Ctrl-C can stop it. */
  onSpawn?: (server: BenchServer) => void;
  /** `web` (default): scripts/start.ts; `worker`: scripts/worker.ts (no HTTP; ready when it says so). */
  kind?: "web" | "worker";
  /** JOBS_EXECUTOR of a web process (default on). */
  executor?: "on" | "off";
  /** Where the process answers its event-loop delay (scripts/bench/eld-probe.mjs); none if unset. */
  eldPort?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `tsx scripts/start.ts` on the production build and resolves once /api/health answers 200. */
export async function startServer(o: ServerOptions): Promise<BenchServer> {
  if (o.fresh) fs.rmSync(o.dataDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
  const log = fs.openSync(o.logFile, "w");
  const url = `http://127.0.0.1:${o.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(o.port),
    HOSTNAME: "127.0.0.1",
    APP_URL: url,
    STELLER_DATA_DIR: o.dataDir,
    STELLER_PG_PORT: String(o.pgPort),
    // The per-key limiter still runs (a token taken per request) but never refuses. (Its bucket
    // column is numeric(12,4): a burst of 1e8 or more fails every request.)
    API_RATE_BURST: "1000000",
    API_RATE_PER_SECOND: "1000000",
    STELLER_REQUEST_LOG: o.requestLog ? "on" : "off",
    JOBS_EXECUTOR: o.executor ?? "on",
    // Issue 13's fulfilment scenarios: the mock completes an order as soon as it is placed, so
    // what is measured is our engine and the vendor's limits, not a simulated delay.
    MOCK_VENDOR_FULFIL_MS: "0",
    // The bench's own webhook receiver listens on loopback.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
    ...(o.eldPort ? { BENCH_ELD_PORT: String(o.eldPort) } : {}),
  };
  delete env.DATABASE_URL;
  // Its own process group, so a server that ignores SIGINT can be killed with its PostgreSQL.
  // BENCH_PROFILE=<dir>: V8 CPU profiles of the server, written when it stops (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(process.env.BENCH_PROFILE)] : [];
  const probe = o.eldPort ? ["--import", path.resolve("scripts/bench/eld-probe.mjs")] : [];
  const script = o.kind === "worker" ? "scripts/worker.ts" : "scripts/start.ts";
  let output = "";
  // BENCH_WORKER_NICE=<n>: layout 2's worker at a lower CPU priority (`nice -n <n>`), so that on
  // the shared cores fulfilment takes the CPU the web process leaves. Off by default: measured
  // twice at 10, once under the targets and once not (docs/bench.md, stop 19).
  const niceness = o.kind === "worker" ? (process.env.BENCH_WORKER_NICE ?? "0") : "0";
  const command = [path.resolve("node_modules/.bin/tsx"), ...profile, ...probe, script];
  if (niceness !== "0") command.unshift("nice", "-n", niceness);
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (d: Buffer) => {
      try {
        fs.writeSync(log, d);
      } catch {
        /* the log was closed at stop */
      }
      if (output.length < 100_000) output += d.toString();
    });
  }
  let exited: number | string | null = null;
  let stopped = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? signal ?? "?";
      resolve();
    }),
  );

  const server: BenchServer = {
    url,
    pid: child.pid ?? -1,
    databaseUrl: `postgres://steller:steller-local@127.0.0.1:${o.pgPort}/steller`,
    logFile: o.logFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (exited === null && child.pid) {
        child.kill("SIGINT");
        const done = await Promise.race([exit.then(() => true), sleep(30_000).then(() => false)]);
        if (!done) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            /* already gone */
          }
          await exit;
        }
      }
      await sleep(100);
      fs.closeSync(log);
    },
  };

  o.onSpawn?.(server);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited !== null) throw new Error(`the server exited (${exited}) before it was ready; see ${o.logFile}`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the server was not ready within 180 s; see ${o.logFile}`);
    }
    if (o.kind === "worker") {
      if (output.includes("running the embedded executor")) return server;
    } else {
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.status === 200) return server;
      } catch {
        /* not listening yet */
      }
    }
    await sleep(250);
  }
}

/** Waits until the background catalog sync has stored the mock test product `sku`. */
export async function waitForCatalog(databaseUrl: string, sku: string, timeoutMs = 120_000): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await sql<{ n: number; has: boolean }[]>`
        select count(*)::int as n, bool_or(sku = ${sku} and active) as has from catalog_products`;
      if (row && row.n > 0 && row.has) return row.n;
      if (Date.now() > deadline) throw new Error(`the catalog sync did not store ${sku} within ${timeoutMs / 1000} s`);
      await sleep(500);
    }
  } finally {
    await sql.end();
  }
}

/**
 * The bench's own PostgreSQL (fresh data under `dataDir/pg`): the app processes find it already
 * listening and reuse it without owning it, so a web process can be stopped and another layout
 * (web + separate worker) started on the same data. `pid()`: the postmaster, for the CPU shares.
 */
export async function startBenchPostgres(dataDir: string, port: number): Promise<{ stop(): Promise<void>; pid(): number | null }> {
  fs.rmSync(dataDir, { recursive: true, force: true });
  const { startLocalPostgres } = await import("@/server/db/embedded");
  // pg_stat_statements: the fulfilment scenarios count the app's statements per order.
  const pg = await startLocalPostgres({ dir: path.join(dataDir, "pg"), port, preloadLibraries: ["pg_stat_statements"] });
  return {
    stop: () => pg.stop(),
    pid() {
      try {
        return Number(fs.readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]) || null;
      } catch {
        return null;
      }
    },
  };
}

/** Reads (and with `reset`, restarts) a process's event-loop delay window from scripts/bench/eld-probe.mjs. */
export async function eventLoopDelay(port: number, reset = false): Promise<EventLoopDelay | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/${reset ? "reset" : "read"}`);
    return (await res.json()) as EventLoopDelay;
  } catch {
    return null;
  }
}

export interface EventLoopDelay {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
  /** Garbage-collection pauses over the window: the longest, and their sum (ms). */
  gcMaxMs: number;
  gcTotalMs: number;
}
