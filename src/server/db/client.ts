import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env, envValue } from "@/lib/env";
import { errorChain } from "@/lib/error-chain";
import { peekProcessSingleton, processSingleton, replaceProcessSingleton } from "@/lib/process-singletons";
import { setPreparedStatements } from "./prepared";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** A transaction handle; domain functions accept `Db | Tx` so callers can compose them. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

/**
 * Bounds on every query (see `createDatabase`). 0 turns one off. Defaults come from the
 * DATABASE_* variables (validated in src/lib/env.ts), so tests and scripts get the app's bounds.
 */
export interface DatabaseOptions {
  /** `statement_timeout` of every session: a statement running longer is cancelled by PostgreSQL (57014). */
  statementTimeoutMs?: number;
  /** `idle_in_transaction_session_timeout`: a session left idle inside a transaction is ended by PostgreSQL. */
  idleInTransactionTimeoutMs?: number;
  /** How long a query, transaction or reservation waits for a free connection of the pool. */
  acquireTimeoutMs?: number;
  /** How long opening one connection may take (postgres.js `connect_timeout`). */
  connectTimeoutMs?: number;
  /**
   * Test only: postgres.js's default pipelining (up to 100 queries in flight per connection),
   * to show upstream issue 1082. The app always runs with pipelining off.
   */
  pipeline?: boolean;
  /** `application_name` of the sessions (default "steller"). */
  applicationName?: string;
}

/** No connection of the pool became free within the acquire timeout: the query was never sent. */
export class DatabaseBusyError extends Error {
  readonly code = "POOL_ACQUIRE_TIMEOUT";
  constructor(
    readonly waitedMs: number,
    readonly poolSize: number,
  ) {
    super(`database busy: no connection of the pool (${poolSize}) became free within ${waitedMs} ms; the query was not sent`);
    this.name = "DatabaseBusyError";
  }
}

/** SQLSTATEs and client codes that mean "the database is not answering now; try again soon". */
const UNAVAILABLE_CODES = new Set([
  "POOL_ACQUIRE_TIMEOUT",
  "57014", // statement timeout (or cancelled)
  "57P01", // admin shutdown
  "57P02", // crash shutdown
  "57P03", // the database system is starting up / shutting down / in recovery
  "25P03", // idle in transaction session timeout
  "53300", // too many connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * Whether `error` (or its cause, as drizzle wraps driver errors) says the database is busy,
 * restarting or unreachable, rather than that the query is wrong: callers answer 503 / retry.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const { code } of errorChain(error)) {
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
}

/**
 * A counting gate in front of a pool: at most `size` queries, transactions and reservations hold
 * a connection at once, and a caller waits at most `timeoutMs` for one (then DatabaseBusyError).
 * postgres.js itself queues without bound when every connection is busy.
 */
class PoolGate {
  active = 0;
  private readonly waiting: { grant: (release: () => void) => void; timer?: NodeJS.Timeout }[] = [];
  constructor(
    readonly size: number,
    readonly timeoutMs: number,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  acquire(): Promise<() => void> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: (typeof this.waiting)[number] = { grant: resolve };
      if (this.timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new DatabaseBusyError(this.timeoutMs, this.size));
        }, this.timeoutMs);
      }
      this.waiting.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.releaser());
      } else {
        this.active--;
      }
    };
  }
}

/** The parts of a postgres.js Query the gate reads (see node_modules/postgres/src/query.js). */
interface PgQuery extends Promise<unknown> {
  handler: unknown;
  parameters?: unknown;
  executed: boolean;
  cancelled: unknown;
  cursorFn?: unknown;
  reject(error: unknown): void;
  handle(): unknown;
}

const gates = new WeakMap<object, PoolGate>();
/** Reservations (and so transactions) by the handler their queries carry. */
const reservations = new WeakMap<object, Reservation>();
const hookedPrototypes = new WeakSet<object>();
/** Which connection ran a query: postgres.js reports (connection id, …, parameters) to `debug`. */
const connectionOf = new WeakMap<object, number>();
/** The pools made by `createDatabase`, by the handler their queries carry. */
const pools = new WeakSet<object>();

const QUERY_DETAILS = new Set<string | symbol>(["query", "parameters", "args", "types", "stack"]);

/**
 * postgres.js attaches a failed query's text and parameters to its error, enumerable when `debug`
 * is set (and not configurable), so a logged error would print them. The caller gets a copy with
 * the same prototype and properties, those hidden.
 */
function hideQueryDetails(error: unknown): unknown {
  if (!error || typeof error !== "object" || !Object.getOwnPropertyDescriptor(error, "parameters")?.enumerable) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as object;
  for (const key of Reflect.ownKeys(error)) {
    const d = Object.getOwnPropertyDescriptor(error, key)!;
    if (QUERY_DETAILS.has(key)) d.enumerable = false;
    Object.defineProperty(copy, key, d);
  }
  return copy;
}

interface Reservation {
  /** postgres.js's id of the connection, learnt from the reservation's first query. */
  connectionId?: number;
  /** The connection closed (the server ended the session, the network dropped): send nothing more. */
  lost: boolean;
  /** Called once the connection's id is known. */
  known: (connectionId: number) => void;
}

/** The connection under a query is gone: PostgreSQL ended the session or the socket closed. */
const CONNECTION_LOST_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "57P01",
  "57P02",
  "57P03",
  "25P03",
  "ECONNRESET",
  "EPIPE",
]);
function connectionLost(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return !!e && (e.severity === "FATAL" || (typeof e.code === "string" && CONNECTION_LOST_CODES.has(e.code)));
}

class ConnectionLostError extends Error {
  readonly code = "CONNECTION_CLOSED";
  constructor() {
    super("database connection lost: the session of this transaction or reservation was ended; nothing more was sent on it");
    this.name = "ConnectionLostError";
  }
}

/**
 * One hook on postgres.js's `Query.handle`, the one place a query is handed to its pool or to a
 * reserved connection (node_modules/postgres/src/query.js), for two jobs:
 * - the pool gate (`installGate`): a query sent straight to the pool first waits for a place;
 * - reservations (`installReservations`): a query for a reservation whose connection has closed
 *   is rejected instead of sent. postgres.js 3.4.9 would write it to the closed connection, which
 *   throws from a timer (`socket.write` of null) and takes the process down.
 */
function hookQueries(proto: PgQuery): void {
  if (hookedPrototypes.has(proto)) return;
  hookedPrototypes.add(proto);
  const handle = proto.handle;
  proto.handle = function (this: PgQuery) {
    if (this.executed) return handle.call(this);
    const reservation = reservations.get(this.handler as object);
    if (reservation || pools.has(this.handler as object)) {
      // Our `debug` callback makes postgres.js attach the query's text and parameters to its
      // errors as enumerable properties, which a logged error would print: keep them hidden.
      const reject = this.reject;
      this.reject = (error: unknown) => reject(hideQueryDetails(error));
    }
    if (reservation) {
      if (reservation.lost) {
        this.executed = true;
        this.reject(new ConnectionLostError());
        return;
      }
      const learn = () => {
        const id = reservation.connectionId === undefined ? connectionOf.get(this.parameters as object) : undefined;
        if (id !== undefined) reservation.known((reservation.connectionId = id));
      };
      Promise.prototype.then.call(this, learn, (error: unknown) => {
        learn();
        if (connectionLost(error)) reservation.lost = true;
      });
      return handle.call(this);
    }
    const g = gates.get(this.handler as object);
    if (!g || this.cursorFn) return handle.call(this);
    this.executed = true;
    return g.acquire().then(
      (release) => {
        Promise.prototype.then.call(this, release, release);
        if (this.cancelled) return; // cancelled while waiting: already rejected, never sent
        this.executed = false;
        return handle.call(this);
      },
      (error: unknown) => this.reject(error),
    );
  };
}

/**
 * Guards reservations (`sql.reserve()`, and the transactions built on them) against a lost
 * connection: its id is learnt from the first query (postgres.js passes it to the `debug`
 * callback with the query's parameter array), `onclose` marks the reservation lost, and from
 * then on its queries are rejected unsent and its release does not hand the dead connection back
 * to the pool (postgres.js has already put it among the closed ones, to reconnect).
 */
function installReservations(sql: postgres.Sql): void {
  const options = sql.options as unknown as {
    debug?: (id: number, query: string, parameters: unknown[]) => void;
    onclose?: (id: number) => void;
  };
  const live = new Map<number, Reservation>();
  pools.add((sql`select 1` as unknown as PgQuery).handler as object);
  options.debug = (id, _query, parameters) => void connectionOf.set(parameters, id);
  options.onclose = (id) => {
    const r = live.get(id);
    if (r) r.lost = true;
  };
  const reserve = sql.reserve.bind(sql);
  sql.reserve = async () => {
    const reserved = await reserve();
    // The connection's id is known once the first query has run; from then on its close marks the reservation lost.
    const state: Reservation = { lost: false, known: (id) => void live.set(id, state) };
    const handler = (reserved`select 1` as unknown as PgQuery).handler as { debug?: unknown };
    // postgres.js copies `debug` onto the handler of a new reservation and then records a stack
    // trace for every query on it: not wanted, only the connection ids are.
    handler.debug = false;
    reservations.set(handler, state);
    const release = reserved.release.bind(reserved);
    reserved.release = () => {
      if (state.connectionId !== undefined && live.get(state.connectionId) === state) live.delete(state.connectionId);
      if (!state.lost) release();
    };
    return reserved;
  };
}

/**
 * Puts `gate` in front of `sql`'s pool: at most `gate.size` queries and reservations (and so
 * transactions, see `installBegin`) hold a connection at once, and the rest wait at most
 * `gate.timeoutMs`. Queries inside a reservation go to its connection, past the gate. Cursors sent
 * straight to the pool (the app has none; the statement export uses a reservation) pass ungated.
 */
function installGate(sql: postgres.Sql, gate: PoolGate): void {
  gates.set((sql`select 1` as unknown as PgQuery).handler as object, gate);
  const reserve = sql.reserve.bind(sql);
  sql.reserve = async () => {
    const release = await gate.acquire();
    try {
      const reserved = await reserve();
      const done = reserved.release.bind(reserved);
      reserved.release = () => {
        done();
        release();
      };
      return reserved;
    } catch (error) {
      release();
      throw error;
    }
  };
}

/** Queries waiting for a connection of `sql`'s pool, and connections in use (for health). */
export function poolStats(sql: postgres.Sql): { size: number; inUse: number; waiting: number } | null {
  const probe = sql`select 1` as unknown as PgQuery;
  const gate = gates.get(probe.handler as object);
  return gate ? { size: gate.size, inUse: gate.active, waiting: gate.queued } : null;
}

type BeginFn = (tx: postgres.TransactionSql) => unknown;

/**
 * `sql.begin` rebuilt on `sql.reserve()`. postgres.js 3.4.9 reserves a transaction's connection
 * in a hook that runs only while the connection may take more pipelined queries, so with
 * `max_pipeline: 0` it never runs and every transaction breaks (upstream issues 1210 and 1189;
 * with pipelining on it is skipped at the pipeline's boundary, and the transaction's queries run
 * on a connection the pool hands to others). A reservation needs no such hook. Same contract:
 * `begin([mode,] fn)`, commit when `fn` resolves (an array is awaited as a whole), rollback when
 * it throws, and `tx.savepoint([name,] fn)` for nested transactions (drizzle uses both).
 */
function installBegin(sql: postgres.Sql): void {
  (sql as unknown as { begin: (a: string | BeginFn, b?: BeginFn) => Promise<unknown> }).begin = async (a, b) => {
    const fn = (typeof a === "function" ? a : b)!;
    const mode = typeof a === "string" ? a.replace(/[^a-z ]/gi, "") : "";
    const conn = await sql.reserve();
    let savepoints = 0;
    const tx = conn as unknown as postgres.TransactionSql & { savepoint: unknown };
    const scope = async (body: BeginFn, name?: string): Promise<unknown> => {
      if (name) await conn.unsafe(`savepoint ${name}`);
      try {
        const x = body(tx);
        const result = await (Array.isArray(x) ? Promise.all(x) : x);
        if (name) await conn.unsafe(`release savepoint ${name}`);
        return result;
      } catch (error) {
        if (name) await conn.unsafe(`rollback to savepoint ${name}`);
        throw error;
      }
    };
    tx.savepoint = (n: string | BeginFn, f?: BeginFn) => {
      const body = (typeof n === "function" ? n : f)!;
      const label = typeof n === "string" ? `_${n.replace(/[^a-z0-9_]/gi, "")}` : "";
      return scope(body, `s${savepoints++}${label}`);
    };
    try {
      await conn.unsafe(`begin ${mode}`);
      let result: unknown;
      try {
        result = await scope(fn);
      } catch (error) {
        await conn.unsafe("rollback").catch(() => {});
        throw error;
      }
      await conn.unsafe("commit");
      return result;
    } finally {
      conn.release();
    }
  };
}

function defaults(): Required<Omit<DatabaseOptions, "pipeline" | "applicationName">> {
  return {
    statementTimeoutMs: envValue("DATABASE_STATEMENT_TIMEOUT_MS"),
    idleInTransactionTimeoutMs: envValue("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS"),
    acquireTimeoutMs: envValue("DATABASE_ACQUIRE_TIMEOUT_MS"),
    connectTimeoutMs: envValue("DATABASE_CONNECT_TIMEOUT_MS"),
  };
}

/** Opens a pool to `url`. Tests and scripts use this directly; the app uses `getDb()`. */
export function createDatabase(url: string, max = 10, options: DatabaseOptions = {}): Database {
  const o = { ...defaults(), ...options };
  const session: Record<string, string> = { application_name: o.applicationName ?? "steller" };
  // Sent as start-up parameters: every session of the pool has them before its first query.
  if (o.statementTimeoutMs > 0) session.statement_timeout = String(o.statementTimeoutMs);
  if (o.idleInTransactionTimeoutMs > 0) session.idle_in_transaction_session_timeout = String(o.idleInTransactionTimeoutMs);
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    // numeric and bigint stay strings: money is never a JS number.
    types: {},
    connection: session,
    connect_timeout: Math.max(1, Math.ceil(o.connectTimeoutMs / 1000)),
    /*
     * No pipelining. postgres.js 3.4.9 (upstream issue 1082): with queries pipelined on a busy
     * connection, a query whose parameters fail to serialise (an `undefined`, a number for an
     * array or timestamp parameter) rejects *another* query in flight and never settles itself,
     * and the connection stays wedged. With statement timeouts, pipelining can also hand the next
     * query a wrong result (issue 1181). One query per connection at a time avoids both; the
     * pool, not the pipeline, gives concurrency.
     */
    ...(o.pipeline ? {} : { max_pipeline: 0 }),
  });
  hookQueries(Object.getPrototypeOf(sql`select 1`) as PgQuery); // never executed: postgres.js queries are lazy
  installReservations(sql);
  if (o.acquireTimeoutMs > 0) installGate(sql, new PoolGate(max, o.acquireTimeoutMs));
  installBegin(sql);
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** The process-wide database (one pool per process, survives dev hot reloads: see src/lib/process-singletons.ts). */
export function getDatabase(): Database {
  return processSingleton("database", () => {
    const e = env();
    setPreparedStatements(e.DATABASE_PREPARED_STATEMENTS);
    return createDatabase(e.DATABASE_URL, e.DATABASE_POOL_SIZE);
  });
}

export function getDb(): Db {
  return getDatabase().db;
}

/**
 * The small pool that statement downloads (`GET /api/v1/wallet/statement.csv`) stream from: a
 * download holds its connection for as long as its reader takes, so slow readers wait for each
 * other here and never for the app's pool. STATEMENT_POOL_SIZE connections per process; a
 * download waits at most 2 s for one.
 */
export function getStatementDatabase(): Database {
  const url = envValue("DATABASE_URL");
  const current = peekProcessSingleton<Database & { url: string }>("statement-database");
  if (current?.url === url) return current;
  void current?.close();
  const database = { ...createDatabase(url, envValue("STATEMENT_POOL_SIZE"), { acquireTimeoutMs: 2_000, applicationName: "steller-statements" }), url };
  replaceProcessSingleton("statement-database", database);
  return database;
}

/**
 * The pool the embedded executor runs on in a web process (JOBS_DATABASE_POOL_SIZE connections):
 * job steps (settlements of up to 500 cards, claims, step records) never hold the connections API
 * requests wait for. Bench, executor in the web process, orders at 50 % of the maximum: p50 248 ms
 * with one pool of 10 for both, 32 ms with room for both. A worker process (`npm run worker`)
 * serves no API and uses the app's pool.
 */
export function getJobsDatabase(): Database {
  return processSingleton("jobs-database", () => {
    const e = env();
    return createDatabase(e.DATABASE_URL, e.JOBS_DATABASE_POOL_SIZE, { applicationName: "steller-jobs" });
  });
}

/** Closes the process's pools (the app's, the statement downloads' and the executor's). */
export async function closeDatabases(): Promise<void> {
  const statements = replaceProcessSingleton<Database>("statement-database", undefined);
  const jobs = replaceProcessSingleton<Database>("jobs-database", undefined);
  const main = peekProcessSingleton<Database>("database");
  await Promise.all([main?.close(), statements?.close(), jobs?.close()]);
}
