import { loadEnv, type Env } from "@/lib/env";
import type { Environment } from "@/server/catalog/visibility";
import type { Db } from "@/server/db/client";
import { emailRuntime, type EmailRuntime } from "@/server/email";
import { DEFAULT_BATCH_WINDOW_MS, DEFAULT_POLL_SCHEDULE_MS, orderRuntime, vendorSelection, type OrderRuntime } from "@/server/orders/runtime";
import type { BambooClient } from "@/server/supplier/bamboo";
import { DEFAULT_RETRY_SCHEDULE_MS, webhookRuntime, type WebhookRuntime } from "@/server/webhooks/runtime";

/**
 * Everything the app's code works with that is not a function argument: the database, the
 * supplier client of each environment, the webhook sender's settings, email delivery, the clock,
 * the encryption key and the validated settings. Built once per process at boot (`buildServices`)
 * and handed down: to the Inngest functions through the jobs client's middleware (their handler
 * gets `services`), to REST and tRPC through their context. Tests build their own with
 * `buildServices({ db, ... })` and hand them to the worker they start (`startEmbeddedWorker({
 * services })`) instead of configuring module globals.
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
}

export interface ServiceOverrides {
  settings?: Env;
  clock?: Services["clock"];
  encryptionKey?: string;
  vendorFor?: Services["vendorFor"];
  orders?: Partial<Omit<OrderRuntime, "db" | "vendorFor" | "encryptionKey">>;
  webhooks?: Partial<Omit<WebhookRuntime, "db" | "encryptionKey">>;
  email?: Partial<Omit<EmailRuntime, "db">>;
}

const systemClock = { now: () => new Date() };

/**
 * The services over `db`, from the environment's settings unless overridden.
 * @public Not called yet: the process and the tests still go through servicesFromRuntimes (issue 14 item 3 is half done).
 */
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
  };
}

let processServices: Services | undefined;

/**
 * This process's services over the process pool (`getDb()`), built on first use (nothing is read
 * until a part is used): for the web process's `/api/inngest` route and any call outside a
 * worker's. For now they read the module runtimes (servicesFromRuntimes), so tests that still
 * configure those keep working. One per copy of this module (Next's bundle and the boot script load separate copies; both
 * share the pool, which is the one thing kept on globalThis: the dev hot-reload cache in
 * db/client.ts).
 */
export function defaultServices(): Services {
  return (processServices ??= servicesFromRuntimes());
}

/**
 * Thin adapter while tests still configure module runtimes (`configureOrderRuntime`,
 * `configureWebhookRuntime`, `configureEmailRuntime`): services read from those, lazily, over
 * `db` (default: the order runtime's, i.e. the process pool unless configured). A worker started without services of its own uses this, so functions that take
 * `services` behave exactly as the runtimes say. Remove with the configure functions once every
 * test builds its own services (see /work/tmp/s/services-ready.md).
 */
export function servicesFromRuntimes(db?: Db): Services {
  let settings: Env | undefined;
  return {
    get db() {
      return db ?? orderRuntime().db;
    },
    get settings() {
      return (settings ??= loadEnv());
    },
    clock: systemClock,
    get encryptionKey() {
      return orderRuntime().encryptionKey;
    },
    vendorFor: (environment) => orderRuntime().vendorFor(environment),
    get orders() {
      return orderRuntime();
    },
    get webhooks() {
      return webhookRuntime();
    },
    get email() {
      return emailRuntime();
    },
  };
}
