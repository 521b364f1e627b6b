import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * App processes for the resilience suite: `next start` (a production build in NEXT_DIST_DIR)
 * behind our HTTP server, with the embedded PostgreSQL of the first instance. Every process is
 * started here, killed here and its PostgreSQL stopped here, also when a test fails.
 */

const DIST_DIR = process.env.NEXT_DIST_DIR ?? ".next-resilience";
const LOG_DIR = path.resolve(".data/resilience-logs");
const ENTRY = path.resolve("tests/resilience/support/app-server.ts");

/** Variables of the test process that must not leak into an app process. */
const SCRUB = ["NODE_ENV", "AUTH_SECRET", "ENCRYPTION_KEY", "DATABASE_URL", "STELLER_LOCAL", "API_RATE_BURST", "API_RATE_PER_SECOND", "TEST_PG_PORT"];

export interface AppOptions {
  name: string;
  port: number;
  /** Embedded PostgreSQL port (first instance); ignored when `databaseUrl` is given. */
  pgPort: number;
  /** Share another instance's database (then secrets come from that instance). */
  shareWith?: AppProcess;
  env?: Record<string, string>;
}

export interface AppProcess {
  name: string;
  port: number;
  pgPort: number;
  url: string;
  dataDir: string;
  /** postgres:// URL of the app's database. */
  databaseUrl: string;
  secrets: { AUTH_SECRET: string; ENCRYPTION_KEY: string };
  child: ChildProcess | null;
  logFile: string;
  /** SIGKILL the app process only (its PostgreSQL keeps running, as after a crash of the app). */
  crash(): Promise<void>;
  /** Starts the process again with the same data directory, port and environment. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

const started = new Set<AppProcess>();
const pgDirs = new Set<string>();

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

const hasExited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the PostgreSQL whose data lives in `pgDir` (fast shutdown), if one runs. */
async function stopPostgres(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !alive(pid)) return;
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, "SIGKILL");
}

async function waitHealthy(app: AppProcess, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (app.child && hasExited(app.child)) throw new Error(`${app.name} exited with ${app.child.exitCode}\n${app.logTail()}`);
    try {
      const r = await fetch(`${app.url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${app.name} did not become healthy in ${timeoutMs} ms\n${app.logTail()}`);
}

/** Starts an app process and waits until /api/health answers 200. */
export async function startApp(o: AppOptions): Promise<AppProcess> {
  if (!fs.existsSync(path.join(DIST_DIR, "BUILD_ID"))) {
    throw new Error(`No production build in ${DIST_DIR}: run \`NEXT_DIST_DIR=${DIST_DIR} npx next build\` (npm run test:resilience does)`);
  }
  const dataDir = path.resolve(`.data/resilience-${o.name}`);
  // A PostgreSQL left behind by an aborted run still holds the port and the old data.
  await stopPostgres(path.join(dataDir, "pg"));
  if (!o.shareWith && (await portOpen(o.pgPort))) throw new Error(`port ${o.pgPort} is taken: another PostgreSQL runs there`);
  if (await portOpen(o.port)) throw new Error(`port ${o.port} is taken`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${o.name}.log`);
  fs.writeFileSync(logFile, "");

  const env = {} as NodeJS.ProcessEnv;
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.includes(k) && !k.startsWith("VITEST")) env[k] = v;
  Object.assign(env, {
    PORT: String(o.port),
    HOSTNAME: "127.0.0.1",
    APP_URL: `http://127.0.0.1:${o.port}`,
    STELLER_DATA_DIR: dataDir,
    STELLER_PG_PORT: String(o.pgPort),
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    MOCK_VENDOR_RATE_SCALE: "50",
    MOCK_VENDOR_FULFIL_MS: "500",
    // The vendor client of app-server.ts reaches the mock over HTTP at APP_URL; in production the
    // route is off by default, and a second instance (shareWith, a configured DATABASE_URL) would
    // refuse to start with the mock's published secret: enable it, with a secret of our own.
    MOCK_VENDOR_ENABLED: "true",
    MOCK_VENDOR_CLIENT_SECRET: "resilience-mock-secret",
    ...o.env,
  });
  if (o.shareWith) {
    env.DATABASE_URL = o.shareWith.databaseUrl;
    env.AUTH_SECRET = o.shareWith.secrets.AUTH_SECRET;
    env.ENCRYPTION_KEY = o.shareWith.secrets.ENCRYPTION_KEY;
  }

  const app: AppProcess = {
    name: o.name,
    port: o.port,
    pgPort: o.pgPort,
    url: `http://127.0.0.1:${o.port}`,
    dataDir,
    databaseUrl: o.shareWith?.databaseUrl ?? `postgres://steller:steller-local@127.0.0.1:${o.pgPort}/steller`,
    secrets: o.shareWith?.secrets ?? { AUTH_SECRET: "", ENCRYPTION_KEY: "" },
    child: null,
    logFile,
    async crash() {
      const c = app.child;
      if (!c || hasExited(c)) return;
      const exited = new Promise((r) => c.once("exit", r));
      c.kill("SIGKILL");
      await exited;
    },
    async restart() {
      await app.crash();
      await launch();
    },
    async stop() {
      const c = app.child;
      if (c && !hasExited(c)) {
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGTERM");
        const timer = setTimeout(() => c.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      started.delete(app);
    },
    logTail(lines = 40) {
      try {
        return fs.readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    },
  };

  async function launch() {
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY], { env, stdio: ["ignore", "pipe", "pipe"] });
    const out = fs.createWriteStream(logFile, { flags: "a" });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    app.child = child;
    await waitHealthy(app);
  }

  started.add(app);
  if (!o.shareWith) pgDirs.add(path.join(dataDir, "pg"));
  try {
    await launch();
  } catch (e) {
    await app.stop();
    throw e;
  }
  if (!o.shareWith) {
    const secrets = JSON.parse(fs.readFileSync(path.join(dataDir, "dev-secrets.json"), "utf8")) as Record<string, string>;
    app.secrets = { AUTH_SECRET: secrets.AUTH_SECRET!, ENCRYPTION_KEY: secrets.ENCRYPTION_KEY! };
  }
  return app;
}

/** Stops every app process started by this test file, then every embedded PostgreSQL. */
export async function stopAll(): Promise<void> {
  for (const app of [...started]) await app.stop().catch(() => {});
  for (const dir of [...pgDirs]) {
    await stopPostgres(dir).catch(() => {});
    pgDirs.delete(dir);
  }
}

// Last resort when the test process itself is interrupted: no process outlives it.
process.once("exit", () => {
  for (const app of started) app.child?.kill("SIGKILL");
  for (const dir of pgDirs) {
    try {
      const pid = Number(fs.readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
      if (pid) process.kill(pid, "SIGINT");
    } catch {
      // nothing running
    }
  }
});
