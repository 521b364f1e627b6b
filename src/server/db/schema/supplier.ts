import { boolean, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * Order notifications received from a vendor (Bamboo's signed webhook), after their signature was
 * verified. A notification is only a hint: it never changes an order; it makes the poller ask the
 * vendor about that request id first, now. The primary key is the vendor's notification id, so a
 * notification delivered twice is recorded once. `handled_at`: when the poller asked the vendor since.
 */
export const supplierNotifications = pgTable(
  "supplier_notifications",
  {
    id: text("id").primaryKey(),
    vendor: text("vendor").notNull(),
    requestId: text("request_id").notNull(),
    /** What the notification claimed (never trusted; for the record). */
    claimedStatus: text("claimed_status"),
    receivedAt: timestamp("received_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    handledAt: timestamp("handled_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [index("supplier_notifications_pending_idx").on(t.requestId).where(sql`${t.handledAt} is null`)],
);

/**
 * One row per poller lane (environment and vendor account): which run polls it now (a lease, so at
 * most one polls at a time across every process), whether work arrived meanwhile (`poked`: the
 * holder looks again before it lets go), and when the next wake-up is already planned (`wake_at`),
 * so runs that find nothing to do end instead of piling up sleeping.
 */
export const supplierPollers = pgTable("supplier_pollers", {
  key: text("key").primaryKey(),
  holder: text("holder"),
  leaseUntil: timestamp("lease_until", { withTimezone: true, precision: 3 }),
  poked: boolean("poked").notNull().default(false),
  wakeAt: timestamp("wake_at", { withTimezone: true, precision: 3 }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
