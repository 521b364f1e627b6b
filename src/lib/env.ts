import { z } from "zod";

/**
 * The one place environment variables are read. `loadEnv` validates them and fails with
 * a message naming each wrong variable; everything else calls `env()`.
 */
const boolish = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const hex32 = z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters (32 bytes), e.g. `openssl rand -hex 32`");

/** `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). The message never echoes the value. */
function isRedisUrl(v: string): boolean {
  if (!/^rediss?:\/\/[^/?#\s]/.test(v)) return false;
  try {
    return new URL(v).hostname !== "";
  } catch {
    return false;
  }
}

/** The built-in mock vendor's published default secret (docs/mock-vendor.md): never good enough in production. */
const MOCK_VENDOR_DEFAULT_SECRET = "steller-mock-secret";

/** Production with a configured database (not a laptop's `npm start` on the embedded PostgreSQL). */
function hostedProduction(v: { NODE_ENV: string; STELLER_LOCAL: boolean }): boolean {
  return v.NODE_ENV === "production" && !v.STELLER_LOCAL;
}

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** The in-process executor's own pool (web processes running it): job steps never hold the API's connections. */
    JOBS_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    // false behind PgBouncer in transaction mode (it cannot keep prepared statements).
    DATABASE_PREPARED_STATEMENTS: z
      .enum(["true", "false", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "1"),
    // Bounds on every query (0 = off): PostgreSQL cancels a longer statement, ends a session idle inside a
    // transaction, and a query waits this long at most for a free connection of the pool.
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
    // At start-up, how long to wait for a database that is starting, restarting or failing over.
    DATABASE_STARTUP_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    // GET /api/v1/wallet/statement.csv: its own pool, downloads at once per partner, and how long a reader may stall.
    STATEMENT_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(2),
    STATEMENT_DOWNLOADS_PER_PARTNER: z.coerce.number().int().min(1).max(50).default(1),
    STATEMENT_STALL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
    APP_URL: z.url().optional(),
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
    ENCRYPTION_KEY: hex32,
    STELLER_LOCAL: boolish,
    LOGIN_MAX_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).default(5),
    LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
    LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    // Signups from one client IP before the limit (then one per 12 minutes).
    SIGNUP_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(5),
    API_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(50),
    API_RATE_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(25),
    // Check every /api/v1 answer against its documented contract (a breach answers 500). Unset: on under NODE_ENV=test only.
    API_VALIDATE_RESPONSES: z
      .enum(["true", "false", "1", "0"])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === "true" || v === "1")),
    // Unset or empty: the API rate-limit buckets live in Postgres. Set: in this Redis (Postgres stays the fallback).
    REDIS_URL: z
      .string()
      .optional()
      .transform((v) => (v ? v : undefined))
      .refine((v) => v === undefined || isRedisUrl(v), "must be a redis:// or rediss:// URL with a host, e.g. redis://:password@redis.internal:6379/0"),
    // How long an app instance serves the partner catalog from memory before reading it again (0 = every request).
    CATALOG_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
    REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    INNGEST_EVENT_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY: z.string().optional(),
    INNGEST_DEV: boolish,
    INNGEST_BASE_URL: z.url().optional(),
    // Server mode: the previous signing key while rotating it (requests signed with either are accepted), and the
    // public origin the Inngest server is told to call /api/inngest at (read by the SDK; default: the sync request's host).
    INNGEST_SIGNING_KEY_FALLBACK: z.string().optional(),
    INNGEST_SERVE_ORIGIN: z.url().optional(),
    // Embedded jobs: a step still running at its deadline is a failed attempt (retried); stop() waits this long for runs in flight.
    JOBS_STEP_DEADLINE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    JOBS_STOP_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    // Whether this web process (npm start / npm run dev) runs the embedded executor; off when `npm run worker` processes run it.
    JOBS_EXECUTOR: z.enum(["on", "off"]).default("on"),
    // Runs an embedded executor processes at once (webhook deliveries aside: 16 slots of their own). Unset: 4 in a
    // web process (its runs share the event loop with API requests), 16 in `npm run worker`.
    JOBS_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(256).optional(),
    // Bamboo (the card vendor). Unset BAMBOO_BASE_URL = our mock vendor at ${APP_URL}/api/mock-vendor.
    BAMBOO_BASE_URL: z.url().optional(),
    BAMBOO_CLIENT_ID: z.string().min(1).optional(),
    BAMBOO_CLIENT_SECRET: z.string().min(1).optional(),
    BAMBOO_ACCOUNT_ID: z.coerce.number().int().positive().optional(),
    BAMBOO_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    // The longest a vendor call waits in process for a rate-limit slot or a backoff; longer waits are retried later by the job engine.
    BAMBOO_MAX_WAIT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    // Placements per product per minute our client allows itself (Bamboo: about 6; 0 = no per-product spacing).
    BAMBOO_PLACEMENTS_PER_PRODUCT_PER_MINUTE: z.coerce.number().min(0).max(6_000).default(6),
    // How long a vendor batch gathers pending orders of one product at least before it is placed (it also waits for the
    // product's next placement slot); longer gathers more cards per placement, shorter delivers sooner.
    ORDER_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(60_000).default(200),
    MOCK_VENDOR_FULFIL_MS: z.coerce.number().int().min(0).default(3_000),
    MOCK_VENDOR_CLIENT_ID: z.string().min(1).default("steller-mock-client"),
    MOCK_VENDOR_CLIENT_SECRET: z.string().min(1).default(MOCK_VENDOR_DEFAULT_SECRET),
    // Serve the built-in mock vendor at /api/mock-vendor. Unset: yes, except in production (NODE_ENV=production).
    MOCK_VENDOR_ENABLED: z
      .enum(["true", "false", "1", "0", ""])
      .optional()
      .transform((v) => (v === undefined || v === "" ? undefined : v === "true" || v === "1")),
    // Resilience runs only: a share of mock vendor calls fail (429, 500 or a hang), and its limits scaled.
    MOCK_VENDOR_FAULT_RATE: z.coerce.number().min(0).max(1).default(0),
    MOCK_VENDOR_FAULT_HANG_MS: z.coerce.number().int().min(0).default(20_000),
    MOCK_VENDOR_RATE_SCALE: z.coerce.number().positive().default(1),
    // The mock's per-product placement limit (Bamboo: about 6 a minute; 0 = off), scaled by MOCK_VENDOR_RATE_SCALE too.
    MOCK_VENDOR_PRODUCT_PLACEMENTS_PER_MINUTE: z.coerce.number().min(0).max(1_000_000).default(6),
    // Where the mock POSTs its signed order notification when an order finishes: a URL, or `app` for this app's own
    // /api/supplier/bamboo/notifications (APP_URL or http://localhost:PORT). Unset or empty: no notifications.
    MOCK_VENDOR_NOTIFY_URL: z
      .string()
      .optional()
      .transform((v) => (v ? v : undefined))
      .refine((v) => v === undefined || v === "app" || /^https?:\/\/[^/?#\s]/.test(v), "must be an http(s) URL or `app`"),
    // Verifies Bamboo's signed order notifications (POST /api/supplier/bamboo/notifications; unset = the endpoint answers 404);
    // the mock vendor signs its own with it.
    BAMBOO_NOTIFICATION_SECRET: z
      .string()
      .optional()
      .transform((v) => (v ? v : undefined))
      .refine((v) => v === undefined || v.length >= 16, "must be at least 16 characters"),
    // Email: unset SMTP_URL = every email stays in the dev mailbox (table `emails`); set = also delivered through this SMTP server.
    SMTP_URL: z
      .string()
      .optional()
      .transform((v) => (v ? v : undefined))
      .refine((v) => v === undefined || /^smtps?:\/\/[^/?#\s]/.test(v), "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@smtp.example.com:587"),
    EMAIL_FROM: z.string().min(3).default("Steller <no-reply@steller.localhost>"),
    // The daily engagement job emails partners with no API call, order or sign-in for this many days (once per such window).
    RE_ENGAGEMENT_INACTIVE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
    // Webhooks: allow endpoints on private/loopback addresses; only this opts in (`npm run dev` sets it), never NODE_ENV.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: boolish,
  })
  .superRefine((v, ctx) => {
    if (v.MOCK_VENDOR_NOTIFY_URL && !v.BAMBOO_NOTIFICATION_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["BAMBOO_NOTIFICATION_SECRET"],
        message: "is required when MOCK_VENDOR_NOTIFY_URL is set (the mock signs its notifications with it)",
      });
    }
    if (v.INNGEST_DEV && !v.INNGEST_BASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["INNGEST_BASE_URL"],
        message: "is required when INNGEST_DEV=1 (the URL of your Inngest dev server)",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Validates a set of variables; throws EnvError naming every wrong or missing one. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((i) => {
        const name = i.path.join(".") || "(environment)";
        const missing = i.code === "invalid_type" && source[name] === undefined;
        return missing ? `${name} is required but not set` : `${name}: ${i.message}`;
      }),
    );
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated environment of this process (validated once, on first use). */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

/**
 * What start-up refuses beyond the values themselves (the app calls it right after `loadEnv`;
 * throws EnvError). The mock vendor's default credentials are published: in production with a
 * configured database, where the mock answers over HTTP (MOCK_VENDOR_ENABLED=true) or buys the
 * live orders (no BAMBOO_BASE_URL), they must be replaced.
 */
export function assertStartable(e: Env): void {
  if (!hostedProduction(e) || e.MOCK_VENDOR_CLIENT_SECRET !== MOCK_VENDOR_DEFAULT_SECRET) return;
  const uses = [
    ...(e.MOCK_VENDOR_ENABLED ? ["its route /api/mock-vendor is enabled (MOCK_VENDOR_ENABLED=true)"] : []),
    ...(!e.BAMBOO_BASE_URL ? ["it buys the live orders (BAMBOO_BASE_URL is not set)"] : []),
  ];
  if (!uses.length) return;
  throw new EnvError([
    `MOCK_VENDOR_CLIENT_SECRET: is the built-in mock vendor's published default, and in production ${uses.join(" and ")}. ` +
      "Set BAMBOO_BASE_URL, BAMBOO_CLIENT_ID, BAMBOO_CLIENT_SECRET and BAMBOO_ACCOUNT_ID for the real vendor, " +
      "or your own MOCK_VENDOR_CLIENT_ID and MOCK_VENDOR_CLIENT_SECRET",
  ]);
}

/**
 * Whether the built-in mock vendor answers at /api/mock-vendor: MOCK_VENDOR_ENABLED when set,
 * otherwise yes except in production. (The sandbox reaches the mock in-process either way.)
 */
export function mockVendorRouteEnabled(e: Env = env()): boolean {
  return e.MOCK_VENDOR_ENABLED ?? e.NODE_ENV !== "production";
}

/** Which Inngest mode runs: a real server when configured, otherwise embedded execution. */
export function inngestMode(e: Env = env()): "server" | "embedded" {
  return e.INNGEST_SIGNING_KEY || e.INNGEST_EVENT_KEY || e.INNGEST_DEV ? "server" : "embedded";
}

/**
 * One variable, validated by its own rule, for code that must also run without the whole
 * configuration (domain modules used by tests and scripts). The app's full `env()` wins once loaded.
 */
export function envValue<K extends keyof Env>(name: K, source: Record<string, string | undefined> = process.env): Env[K] {
  if (cached) return cached[name];
  const result = envSchema.shape[name].safeParse(source[name]);
  if (!result.success) throw new EnvError([`${name}: ${result.error.issues[0]?.message ?? "invalid"}`]);
  return result.data as Env[K];
}
