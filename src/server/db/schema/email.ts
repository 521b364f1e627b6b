import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Outgoing email. Every email is recorded here by the `email-send` Inngest function; with
 * `SMTP_URL` set it is also delivered over SMTP (`transport = 'smtp'`, `deliveredAt` set), otherwise
 * this table is the dev mailbox admins read (`transport = 'mailbox'`).
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
    /** Idempotency key (the `email/requested` event id): a retried run finds its row and never sends twice. */
    key: text("key"),
    html: text("html"),
    /** `mailbox` (kept here only) or `smtp`. */
    transport: text("transport"),
    /** When the SMTP server accepted it; null for the dev mailbox or while not yet accepted. */
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("emails_created_idx").on(t.createdAt), index("emails_to_idx").on(t.to), uniqueIndex("emails_key_uq").on(t.key)],
);
