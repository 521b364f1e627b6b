import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, numeric, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { catalogProducts } from "./catalog";
import { partners } from "./identity";
import { ledgerEnvironment } from "./ledger";

const money = (name: string) => numeric(name, { precision: 19, scale: 4 });

/**
 * pending: paid (wallet debited), not yet accepted by the vendor
 * processing: accepted by the vendor, being polled
 * completed: cards delivered (all, or some with the rest refunded)
 * failed: nothing delivered, the whole price refunded
 * Transitions are guarded SQL updates from the expected state only.
 */
export const orderStatus = pgEnum("order_status", ["pending", "processing", "completed", "failed"]);

export const orders = pgTable(
  "orders",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id),
    environment: ledgerEnvironment("environment").notNull(),
    /** The partner's idempotency key. */
    referenceId: text("reference_id").notNull(),
    /** SHA-256 of the order's canonical input: same reference + other input = conflict. */
    requestHash: text("request_hash").notNull(),
    productId: text("product_id")
      .notNull()
      .references(() => catalogProducts.id),
    sku: text("sku").notNull(),
    faceValue: money("face_value").notNull(),
    quantity: integer("quantity").notNull(),
    /** Currency of the card's face value. */
    faceCurrency: text("face_currency").notNull(),
    /** Currency of the price: the vendor prices in our account's currency, and the partner's wallet in it pays. */
    currency: text("currency").notNull(),
    unitPrice: money("unit_price").notNull(),
    totalPrice: money("total_price").notNull(),
    /** What the vendor charges us for the whole order (estimate at creation). */
    vendorCost: money("vendor_cost").notNull(),
    status: orderStatus("status").notNull().default("pending"),
    /** Our request id at the vendor (a UUID): the vendor's idempotency key. */
    vendorRequestId: text("vendor_request_id").notNull(),
    vendorOrderId: text("vendor_order_id"),
    vendorStatus: text("vendor_status"),
    cardsDelivered: integer("cards_delivered").notNull().default(0),
    refundedAmount: money("refunded_amount").notNull().default("0"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    pollCount: integer("poll_count").notNull().default(0),
    source: text("source").notNull().default("api"), // api | dashboard | console
    createdBy: text("created_by").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    placedAt: timestamp("placed_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("orders_reference_uq").on(t.partnerId, t.environment, t.referenceId),
    uniqueIndex("orders_vendor_request_uq").on(t.vendorRequestId),
    index("orders_partner_created_idx").on(t.partnerId, t.environment, t.createdAt),
    index("orders_status_updated_idx").on(t.status, t.updatedAt),
    check("orders_quantity_ck", sql`${t.quantity} between 1 and 500`),
    check("orders_amounts_ck", sql`${t.faceValue} > 0 and ${t.unitPrice} > 0 and ${t.totalPrice} > 0`),
    check("orders_refund_ck", sql`${t.refundedAmount} >= 0 and ${t.refundedAmount} <= ${t.totalPrice}`),
    check("orders_cards_ck", sql`${t.cardsDelivered} between 0 and ${t.quantity}`),
  ],
);

/** Delivered cards. Code and PIN are encrypted at rest (AES-256-GCM, ENCRYPTION_KEY). */
export const orderCards = pgTable(
  "order_cards",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    partnerId: text("partner_id").notNull(),
    /** Position within the vendor's answer; (order, position) is unique so a re-run stores nothing twice. */
    position: integer("position").notNull(),
    vendorCardId: text("vendor_card_id"),
    codeEncrypted: text("code_encrypted").notNull(),
    pinEncrypted: text("pin_encrypted"),
    serialNumber: text("serial_number"),
    faceValue: money("face_value").notNull(),
    currency: text("currency").notNull(),
    expiresAt: text("expires_at"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("order_cards_position_uq").on(t.orderId, t.position), index("order_cards_partner_idx").on(t.partnerId)],
);

/** Findings of the reconciliation job: our orders vs the vendor's. */
export const reconciliationIssues = pgTable(
  "reconciliation_issues",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id"),
    vendorRequestId: text("vendor_request_id"),
    kind: text("kind").notNull(), // vendor_succeeded_we_failed | vendor_missing | status_mismatch
    ourStatus: text("our_status"),
    vendorStatus: text("vendor_status"),
    detail: text("detail"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("reconciliation_issues_open_uq").on(t.orderId, t.kind).where(sql`${t.resolvedAt} is null`)],
);

/** Results of the ledger-consistency job. */
export const consistencyChecks = pgTable("consistency_checks", {
  id: text("id").primaryKey(),
  ok: boolean("ok").notNull(),
  driftAccounts: integer("drift_accounts").notNull(),
  report: jsonb("report").$type<Record<string, unknown>>().notNull(),
  checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
});
