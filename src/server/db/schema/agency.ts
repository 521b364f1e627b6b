import { sql } from "drizzle-orm";
import { check, index, integer, numeric, pgEnum, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { partnerKind, partners } from "./identity";

/*
 * Agency network (issue 18). The hierarchy itself is on `partners` (kind, parent_id); this holds
 * what only agents and sub-agents have: the agent's revenue share, the history of the tree, and
 * the sub-agents' sales limits. Money moves only through the ledger (agent_funding,
 * agent_recall, agent_commission, agent_commission_reversal, commission_payout transfers): see
 * src/server/agency and src/server/ledger/commission.ts.
 */

const money = (name: string) => numeric(name, { precision: 19, scale: 4 });

/** One row per agent: its share of the platform margin on its sub-agents' completed orders. */
export const agencyAgents = pgTable(
  "agency_agents",
  {
    partnerId: text("partner_id")
      .primaryKey()
      .references(() => partners.id, { onDelete: "restrict" }),
    /** Basis points of the margin (1000 = 10 %), 0 to 10000. */
    revenueShareBps: integer("revenue_share_bps").notNull(),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("agency_agents_share_ck", sql`${t.revenueShareBps} between 0 and 10000`)],
);

export const agencyEventKind = pgEnum("agency_event_kind", ["converted_to_agent", "created_sub_agent", "moved", "share_changed"]);

/** The history of the tree, append-only: conversions, sub-agents created, moves, share changes. */
export const agencyHierarchyEvents = pgTable(
  "agency_hierarchy_events",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    event: agencyEventKind("event").notNull(),
    fromKind: partnerKind("from_kind"),
    toKind: partnerKind("to_kind"),
    fromParentId: text("from_parent_id"),
    toParentId: text("to_parent_id"),
    fromShareBps: integer("from_share_bps"),
    toShareBps: integer("to_share_bps"),
    actor: text("actor").notNull(),
    reason: text("reason"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("agency_hierarchy_events_partner_idx").on(t.partnerId, t.at)],
);

/**
 * A sub-agent's sales limits in one currency (null: no limit). Caps count what the sub-agent's
 * wallet pays for its orders (total price), per order and per UTC day and environment; the row is
 * locked by every sale of the sub-agent so concurrent sales cannot both pass (agency_sale_check).
 */
export const agencyLimits = pgTable(
  "agency_limits",
  {
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    currency: text("currency").notNull(),
    dailyCap: money("daily_cap"),
    perOrderCap: money("per_order_cap"),
    /** Below this wallet balance the sub-agent shows as low on funds to its agent. */
    lowBalanceThreshold: money("low_balance_threshold"),
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "agency_limits_pk", columns: [t.partnerId, t.currency] }),
    check("agency_limits_currency_ck", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("agency_limits_daily_ck", sql`${t.dailyCap} is null or ${t.dailyCap} > 0`),
    check("agency_limits_per_order_ck", sql`${t.perOrderCap} is null or ${t.perOrderCap} > 0`),
    check("agency_limits_low_ck", sql`${t.lowBalanceThreshold} is null or ${t.lowBalanceThreshold} >= 0`),
  ],
);
