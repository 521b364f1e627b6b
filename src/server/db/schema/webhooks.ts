import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { partners } from "./identity";
import { ledgerEnvironment } from "./ledger";

// The dev mailbox lives with the webhooks that were its first user (one export line in index.ts).
export * from "./email";

/**
 * A partner's webhook endpoint, in one environment (that of the API key that created it).
 * The signing secret is encrypted at rest (AES-256-GCM, ENCRYPTION_KEY); after a rotation the
 * previous secret keeps signing until `previousSecretExpiresAt`. Deleting sets `deletedAt` so
 * the delivery log keeps its history.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    environment: ledgerEnvironment("environment").notNull(),
    url: text("url").notNull(),
    /** The partner's own note on what the endpoint is for (shown in the dashboard). */
    description: text("description"),
    /** Event types, or `*` for all. */
    events: text("events").array().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    secretEncrypted: text("secret_encrypted").notNull(),
    previousSecretEncrypted: text("previous_secret_encrypted"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    /** Exhausted deliveries since the last success. */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** First failed attempt since the last success. */
    firstFailureAt: timestamp("first_failure_at", { withTimezone: true }),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    disabledReason: text("disabled_reason"),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [index("webhook_endpoints_partner_idx").on(t.partnerId, t.environment, t.id)],
);

/**
 * One event for a partner (its id is the `webhook-id` every delivery of it carries). The payload
 * is thin: ids, status and amounts, never card codes. `idempotencyKey` makes emitting twice
 * (a re-run job step) a no-op.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    environment: ledgerEnvironment("environment").notNull(),
    type: text("type").notNull(),
    /** The JSON body sent: `{ type, timestamp, data }`. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    idempotencyKey: text("idempotency_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_events_idempotency_uq").on(t.partnerId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    index("webhook_events_partner_idx").on(t.partnerId, t.environment, t.id),
  ],
);

/**
 * pending: not attempted yet; failed: the last attempt failed and another is scheduled;
 * succeeded: a 2xx answer; exhausted: no more attempts (schedule finished, or the endpoint was
 * disabled or deleted meanwhile).
 */
export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", ["pending", "failed", "succeeded", "exhausted"]);

/** One event to one endpoint; a replay is a new delivery of the same event. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    partnerId: text("partner_id").notNull(),
    environment: ledgerEnvironment("environment").notNull(),
    status: webhookDeliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    lastDurationMs: integer("last_duration_ms"),
    replayOf: text("replay_of"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("webhook_deliveries_partner_idx").on(t.partnerId, t.environment, t.id),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id),
    index("webhook_deliveries_event_idx").on(t.eventId),
  ],
);

/** One row per HTTP attempt of a delivery. */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    /** The webhook headers sent (webhook-id, webhook-timestamp, webhook-signature: HMACs, not secrets). */
    requestHeaders: jsonb("request_headers").$type<Record<string, string>>(),
    /** The receiver's answer: its headers and the start of its body (what the dashboard shows). */
    responseHeaders: jsonb("response_headers").$type<Record<string, string>>(),
    responseBody: text("response_body"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("webhook_delivery_attempts_uq").on(t.deliveryId, t.attempt)],
);

/**
 * Per-partner settings that are not identity: the default low-balance alert threshold (a wallet
 * without its own row in low_balance_thresholds uses it), contacts and email preferences.
 */
export const partnerSettings = pgTable(
  "partner_settings",
  {
    partnerId: text("partner_id")
      .primaryKey()
      .references(() => partners.id, { onDelete: "cascade" }),
    lowBalanceThreshold: numeric("low_balance_threshold", { precision: 19, scale: 4 }).notNull().default("100.0000"),
    billingEmail: text("billing_email"),
    technicalEmail: text("technical_email"),
    /** The partner asked not to receive re-engagement emails. */
    reEngagementOptOut: boolean("re_engagement_opt_out").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("partner_settings_threshold_ck", sql`${t.lowBalanceThreshold} >= 0`)],
);

/** The low-balance alert threshold of one wallet (environment, currency); without a row, the partner's default. */
export const lowBalanceThresholds = pgTable(
  "low_balance_thresholds",
  {
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    environment: ledgerEnvironment("environment").notNull(),
    currency: text("currency").notNull(),
    threshold: numeric("threshold", { precision: 19, scale: 4 }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.environment, t.currency] }), check("low_balance_thresholds_ck", sql`${t.threshold} >= 0`)],
);

/**
 * A wallet currently below its threshold that was already alerted: one `wallet.low_balance`
 * per crossing. The row is removed when the balance is back at or above the threshold.
 */
export const lowBalanceAlerts = pgTable(
  "low_balance_alerts",
  {
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    environment: ledgerEnvironment("environment").notNull(),
    currency: text("currency").notNull(),
    balance: numeric("balance", { precision: 19, scale: 4 }).notNull(),
    threshold: numeric("threshold", { precision: 19, scale: 4 }).notNull(),
    eventId: text("event_id"),
    alertedAt: timestamp("alerted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.environment, t.currency] })],
);
