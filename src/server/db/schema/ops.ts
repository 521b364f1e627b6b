import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Admin alerts: something operations staff must look at (ledger drift, reconciliation
 * mismatches, a failing or rate-limiting vendor, a disabled webhook endpoint). One open alert
 * per `cause` (the partial unique index): a cause seen again while its alert is unresolved bumps
 * `occurrences` and `lastSeenAt` instead of raising another. Acknowledged by an admin (who, when);
 * resolved by the job that raised it once the cause is gone.
 */
export const adminAlerts = pgTable(
  "admin_alerts",
  {
    id: text("id").primaryKey(),
    /** Dedup key: `ledger_drift`, `reconciliation`, `vendor_failing:live`, `webhook_disabled:<endpoint id>`… */
    cause: text("cause").notNull(),
    kind: text("kind").notNull(),
    severity: text("severity", { enum: ["warning", "critical"] }).notNull(),
    title: text("title").notNull(),
    detail: text("detail").notNull(),
    /** Where to look: admin pages of the orders, partners or accounts involved. */
    links: jsonb("links").$type<{ label: string; href: string }[]>().notNull().default([]),
    occurrences: integer("occurrences").notNull().default(1),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: text("acknowledged_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("admin_alerts_open_cause_uq").on(t.cause).where(sql`${t.resolvedAt} is null`), index("admin_alerts_created_idx").on(t.createdAt)],
);

/**
 * Incidents of the public status page: a component (api, fulfilment, webhooks, dashboard) not
 * operational, opened and closed automatically by the status monitor. One open incident per
 * component; `status` is the worst it reached.
 */
export const incidents = pgTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    component: text("component").notNull(),
    status: text("status", { enum: ["degraded", "outage"] }).notNull(),
    title: text("title").notNull(),
    detail: text("detail").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("incidents_open_component_uq").on(t.component).where(sql`${t.endedAt} is null`), index("incidents_started_idx").on(t.startedAt)],
);
