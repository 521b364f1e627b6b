import { bigint, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./identity";

/**
 * The TOTP second factor of a platform admin (one per admin). The shared secret is encrypted at
 * rest (src/lib/crypto.ts, ENCRYPTION_KEY). Until `confirmedAt` is set the enrolment is pending:
 * the secret was shown once and the admin has not yet proved it with a code. `lastUsedStep` is the
 * TOTP time step of the last accepted code: a code is accepted only for a later step (no replay).
 */
export const adminSecondFactors = pgTable("admin_second_factors", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretCiphertext: text("secret_ciphertext").notNull(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  lastUsedStep: bigint("last_used_step", { mode: "number" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Single-use recovery codes of an admin's second factor: only their SHA-256 is stored; shown once. */
export const adminRecoveryCodes = pgTable(
  "admin_recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** sha-256 (hex) of the normalised code. */
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("admin_recovery_codes_user_hash_uq").on(t.userId, t.codeHash), index("admin_recovery_codes_user_idx").on(t.userId)],
);
