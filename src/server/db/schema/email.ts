import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Outgoing email. Without SMTP settings this table is the dev mailbox admins read; sending
 * over SMTP is not built yet (every email is stored, none leaves the machine).
 */
export const emails = pgTable(
  "emails",
  {
    id: text("id").primaryKey(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    /** What caused it (`webhook.endpoint_disabled`…), for filtering the mailbox. */
    kind: text("kind"),
    partnerId: text("partner_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("emails_created_idx").on(t.createdAt), index("emails_to_idx").on(t.to)],
);
