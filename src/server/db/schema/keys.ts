import { sql } from "drizzle-orm";
import { index, integer, numeric, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { partners } from "./identity";
import { ledgerEnvironment } from "./ledger";

/**
 * Partner API keys. Only a SHA-256 hash of the secret is stored, plus its first characters
 * (`start`) so people can recognise a key. `expiresAt` is set when a rotation gives the old
 * key an overlap; `revokedAt` ends a key at once.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    environment: ledgerEnvironment("environment").notNull(),
    name: text("name"),
    /** `stlr_test_` + the first 4 characters of the secret part: safe to show. */
    start: text("start").notNull(),
    hash: text("hash").notNull(),
    /** CIDR ranges; empty = any address. */
    ipAllowlist: text("ip_allowlist").array().notNull().default(sql`'{}'::text[]`),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    rotatedToId: text("rotated_to_id"),
  },
  (t) => [uniqueIndex("api_keys_hash_uq").on(t.hash), index("api_keys_partner_idx").on(t.partnerId)],
);

/** Token buckets shared by every app instance (API rate limits, signup limits). UNLOGGED (migration 0008). */
export const rateLimitBuckets = pgTable("rate_limit_buckets", {
  key: text("key").primaryKey(),
  tokens: numeric("tokens", { precision: 12, scale: 4 }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 6 }).notNull(),
  /** Tokens the last take removed (an instance may take a few at once for a busy key). */
  taken: integer("taken").notNull().default(1),
});

/** Partner API request log, written asynchronously in batches. */
export const requestLogs = pgTable(
  "request_logs",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id"),
    environment: text("environment"),
    keyStart: text("key_start"),
    method: text("method").notNull(),
    path: text("path").notNull(),
    status: integer("status").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    ip: text("ip").notNull(),
    requestId: text("request_id").notNull(),
    errorCode: text("error_code"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("request_logs_partner_created_idx").on(t.partnerId, t.createdAt), index("request_logs_created_idx").on(t.createdAt)],
);
