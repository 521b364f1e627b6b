import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { partners } from "./identity";

/**
 * Activation milestones (src/server/partners/activation.ts): the first time a partner reached
 * each step of the journey, written where the step happens (insert … on conflict do nothing, so
 * the first time stays).
 */
export const partnerMilestones = pgTable(
  "partner_milestones",
  {
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    milestone: text("milestone").notNull(),
    at: timestamp("at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.milestone] }), index("partner_milestones_milestone_at_idx").on(t.milestone, t.at)],
);

/**
 * A partner's request for live access (src/server/partners/golive.ts): at most one pending per
 * partner; an admin approves or rejects it with a reason.
 */
export const goLiveRequests = pgTable(
  "go_live_requests",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    /** pending | approved | rejected */
    status: text("status").notNull().default("pending"),
    legalName: text("legal_name").notNull(),
    registrationNumber: text("registration_number").notNull(),
    website: text("website").notNull(),
    /** Expected monthly volume in USD, a decimal string. */
    expectedMonthlyVolume: text("expected_monthly_volume").notNull(),
    useCase: text("use_case").notNull(),
    requestedBy: text("requested_by").notNull(),
    decidedBy: text("decided_by"),
    decisionReason: text("decision_reason"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("go_live_requests_one_pending_uq").on(t.partnerId).where(sql`status = 'pending'`),
    index("go_live_requests_partner_idx").on(t.partnerId, t.createdAt),
    index("go_live_requests_status_idx").on(t.status, t.createdAt),
  ],
);

/**
 * The engagement emails sent to a partner, per kind (`re_engagement`, `activation`): when the
 * last was sent, so the daily job never sends one twice within its window.
 */
export const partnerNudges = pgTable(
  "partner_nudges",
  {
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }).notNull(),
    sent: integer("sent").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.kind] })],
);
