import { loadEnv, type Env } from "@/lib/env";
import type { Environment } from "@/server/catalog/visibility";
import { peekProcessSingleton, processSingleton, replaceProcessSingleton } from "@/lib/process-singletons";
import { getDb, type Db } from "@/server/db/client";
import type { EmailRuntime } from "@/server/email";
import { DEFAULT_BATCH_WINDOW_MS, DEFAULT_POLL_SCHEDULE_MS, vendorSelection, type OrderRuntime } from "@/server/orders/runtime";
import { RequestLogWriter } from "@/server/requestlog/writer";
import { TokenLeases } from "@/server/rest/token-lease";
import type { BambooClient } from "@/server/supplier/bamboo";
import { DEFAULT_RETRY_SCHEDULE_MS, type WebhookRuntime } from "@/server/webhooks/runtime";

/**
 * Everything the app's code works with that is not a function argument: the database, the
 * supplier client of each environment, the webhook sender's settings, email delivery, the clock,
 * the encryption key, the validated settings, and the per-process writers of the API (request
 * log, token leases). Built once per process at boot (`buildServices`, installed with
 * `installProcessServices`) and handed down: to the Inngest functions through the jobs client's
 * middleware (their handler gets `services`), to REST and tRPC through their context
 * (`ctx.services`). Tests build their own (tests/support/services.ts) and hand them to the worker
 * they start (`startEmbeddedWorker({ services })`), to a tRPC caller, or to the route handlers
 * they call; no module keeps a configurable global.
 *
 * The parts are the shapes the domain modules already take (`OrderRuntime`, `WebhookRuntime`,
 * `EmailRuntime`), so a domain function receives `services.orders` and never imports this file.
 */
export interface Services {
  db: Db;
  settings: Env;
  clock: { now(): Date };
  /** Encrypts card codes and webhook secrets at rest (ENCRYPTION_KEY). */
  encryptionKey: string;
  /** The supplier (Bamboo or the built-in mock) each environment buys from. */
  vendorFor(environment: Environment): BambooClient;
  orders: OrderRuntime;
  /** The webhook sender: target policy, retry schedule, timeouts. */
  webhooks: WebhookRuntime;
  email: EmailRuntime;
  /** The API's request log: entries buffered and written in batches, off the request path. */
  requestLog: RequestLogWriter;
  /** Tokens a busy API key leased from its shared bucket on this instance (rest/token-lease.ts). */
  tokenLeases: TokenLeases;
}

export interface ServiceOverrides {
  settings?: Env;
  clock?: Services["clock"];
  encryptionKey?: string;
  vendorFor?: Services["vendorFor"];
  orders?: Partial<Omit<OrderRuntime, "db" | "vendorFor" | "encryptionKey">>;
  webhooks?: Partial<Omit<WebhookRuntime, "db" | "encryptionKey">>;
  email?: Partial<Omit<EmailRuntime, "db">>;
  requestLog?: RequestLogWriter;
  tokenLeases?: TokenLeases;
}

const systemClock = { now: () => new Date() };

/** STELLER_REQUEST_LOG=off (the bench's request-log cross-check) keeps nothing. */
function requestLogWriter(db: Db): RequestLogWriter {
  const writer = new RequestLogWriter(() => db);
  if (process.env.STELLER_REQUEST_LOG === "off") writer.enabled = false;
  return writer;
}

/** The services over `db`, from the environment's settings unless overridden. */
export function buildServices(db: Db, over: ServiceOverrides = {}): Services {
  const settings = over.settings ?? loadEnv();
  const encryptionKey = over.encryptionKey ?? settings.ENCRYPTION_KEY;
  const vendorFor = over.vendorFor ?? vendorSelection(db, () => settings);
  return {
    db,
    settings,
    clock: over.clock ?? systemClock,
    encryptionKey,
    vendorFor,
    orders: {
      db,
      vendorFor,
      encryptionKey,
      pollScheduleMs: DEFAULT_POLL_SCHEDULE_MS,
      batchWindowMs: settings.ORDER_BATCH_WINDOW_MS ?? DEFAULT_BATCH_WINDOW_MS,
      sharedBatchPoller: true,
      ...over.orders,
    },
    webhooks: {
      db,
      encryptionKey,
      allowPrivateTargets: settings.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
      timeoutMs: 10_000,
      disableAfterFailingMs: 3 * 24 * 3600_000,
      disableAfterExhausted: 20,
      ...over.webhooks,
    },
    email: {
      db,
      secret: settings.AUTH_SECRET,
      appUrl: (settings.APP_URL ?? `http://localhost:${settings.PORT}`).replace(/\/+$/, ""),
      smtpUrl: settings.SMTP_URL,
      from: settings.EMAIL_FROM,
      ...over.email,
    },
    requestLog: over.requestLog ?? requestLogWriter(db),
    tokenLeases: over.tokenLeases ?? new TokenLeases(),
  };
}

/**
 * This process's services: the ones the boot installed (`installProcessServices`), else built on
 * first use over the process pool (`getDb()`) from the environment. A process singleton (see
 * src/lib/process-singletons.ts): the boot script and Next's bundle load separate copies of this
 * module, and the route handlers of the bundle must use the services the boot built.
 */
export function processServices(): Services {
  return processSingleton("services", () => {
    // Lazily, part by part: a function that reads no part (a unit test) needs no database or environment.
    const services = lazyServices(getDb, () => loadEnv());
    overPool.add(services);
    return services;
  });
}

/** Process services built on first use: they are over the process pool, whose handle `db` is. */
const overPool = new WeakSet<Services>();

/** Makes `services` this process's (the boot, before serving; tests that call route handlers directly). */
export function installProcessServices(services: Services): void {
  replaceProcessSingleton("services", services);
}

const overDb = new WeakMap<Db, Services>();

/**
 * Services over `db`: the process's when they are over that database, else services built over
 * it from the environment (one per database). For callers that are handed a database only: a
 * worker started without services, a tRPC caller made with `{ db }`.
 */
export function servicesOver(db: Db): Services {
  const current = peekProcessSingleton<Services>("services");
  const currentDb = current && overPool.has(current) ? peekProcessSingleton<{ db: Db }>("database")?.db : current?.db;
  if (current && currentDb === db) return current;
  let services = overDb.get(db);
  // The database is given: the environment need not name one (a test's callers and workers).
  if (!services)
    overDb.set(
      db,
      (services = lazyServices(
        () => db,
        () => loadEnv({ DATABASE_URL: "postgres://given-database", ...process.env }),
      )),
    );
  return services;
}

/**
 * `buildServices(db(), { settings: settings() })` on first read of a part other than `db`: a
 * caller that only uses the database (a tRPC unit test, a worker of test functions) needs no
 * environment loaded, and one that uses nothing needs no database either.
 */
function lazyServices(db: () => Db, settings: () => Env): Services {
  let built: Services | undefined;
  const all = () => (built ??= buildServices(db(), { settings: settings() }));
  return {
    get db() {
      return db();
    },
    get settings() {
      return all().settings;
    },
    get clock() {
      return all().clock;
    },
    get encryptionKey() {
      return all().encryptionKey;
    },
    vendorFor: (environment) => all().vendorFor(environment),
    get orders() {
      return all().orders;
    },
    get webhooks() {
      return all().webhooks;
    },
    get email() {
      return all().email;
    },
    get requestLog() {
      return all().requestLog;
    },
    get tokenLeases() {
      return all().tokenLeases;
    },
  };
}
