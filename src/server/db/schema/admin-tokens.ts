import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Admin API tokens: read access to the admin API (`GET /api/admin/audit-log`) for scripts and
 * SIEM exports, issued by a platform admin. Only the SHA-256 of the secret is stored; the secret
 * is shown once when issued. A revoked token stays (the audit log names it).
 */
export const adminApiTokens = pgTable(
  "admin_api_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** sha-256 (hex) of the secret. */
    tokenHash: text("token_hash").notNull(),
    /** The first characters of the secret, to recognise it. */
    start: text("start").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
  },
  (t) => [uniqueIndex("admin_api_tokens_hash_uq").on(t.tokenHash), index("admin_api_tokens_created_idx").on(t.createdAt)],
);
