import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { partners } from "./identity";
import { ledgerEnvironment } from "./ledger";

/*
 * Agency network (issue 18), sub-agents' selling and the kept monthly statements
 * (src/server/agency/selling.ts, statements.ts). Money is only in the ledger: these rows hold the
 * customer's contact of an over-the-counter sale and the rendered statements, nothing that moves.
 */

/**
 * An over-the-counter sale: keyed like its order (partner, environment, reference), written just
 * before the order so the receipt email finds its customer whenever the order completes.
 */
export const counterSales = pgTable(
  "counter_sales",
  {
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    environment: ledgerEnvironment("environment").notNull(),
    referenceId: text("reference_id").notNull(),
    customerEmail: text("customer_email"),
    customerPhone: text("customer_phone"),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "counter_sales_pk", columns: [t.partnerId, t.environment, t.referenceId] }),
    index("counter_sales_partner_created_idx").on(t.partnerId, t.environment, t.createdAt),
  ],
);

/**
 * A monthly statement of an agent or a sub-agent, kept as generated: the CSV's exact text, the
 * figures it was rendered from and the SHA-256 of the text. One per partner, environment and
 * month; never rewritten (a second generation finds it).
 */
export const agencyStatements = pgTable(
  "agency_statements",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    environment: ledgerEnvironment("environment").notNull(),
    /** "agent" or "sub_agent": which report it holds. */
    scope: text("scope").notNull(),
    /** The month, "2026-10". */
    period: text("period").notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    periodEnd: timestamp("period_end", { withTimezone: true }).notNull(),
    csv: text("csv").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    sha256: text("sha256").notNull(),
    generatedAt: timestamp("generated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("agency_statements_partner_period_uq").on(t.partnerId, t.environment, t.period),
    check("agency_statements_scope_ck", sql`${t.scope} in ('agent', 'sub_agent')`),
    check("agency_statements_period_ck", sql`${t.period} ~ '^[0-9]{4}-[0-9]{2}$'`),
  ],
);
