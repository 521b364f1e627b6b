import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, check, index, integer, jsonb, numeric, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
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

/**
 * A vendor batch: one vendor order carrying the pending orders of one (environment, vendor
 * account, product, face value, currency), up to 500 cards.
 * open: gathering (no members fixed yet; pending orders wait in the pool)
 * placing: members fixed (orders.batch_id set) and the request id stored, being sent to the vendor
 * placed: the vendor has it (or may have it: an unknown answer stays placing), being polled
 * settled: every member terminal from the vendor's answer (cards assigned, refunds made)
 * failed: refused or failed at the vendor, every member failed and refunded
 * empty: closed with no member (its orders left the pool by another path); never sent
 * Transitions are guarded SQL updates from the expected state only.
 */
export const vendorBatchStatus = pgEnum("vendor_batch_status", ["open", "placing", "placed", "settled", "failed", "empty"]);

export const vendorBatches = pgTable(
  "vendor_batches",
  {
    id: text("id").primaryKey(),
    environment: ledgerEnvironment("environment").notNull(),
    /** The vendor account the batch is placed with (the Bamboo client's `account`: limiter key prefix). */
    account: text("account").notNull(),
    productId: text("product_id")
      .notNull()
      .references(() => catalogProducts.id),
    vendorProductId: text("vendor_product_id").notNull(),
    faceValue: money("face_value").notNull(),
    faceCurrency: text("face_currency").notNull(),
    /** Our request id at the vendor (a UUID), stored when the batch is created: every send re-uses it. */
    vendorRequestId: text("vendor_request_id").notNull(),
    /**
     * Set when this batch is one line of another batch's vendor order (it rode along when that one
     * closed, its product's slot having come): placed under that batch's request id, polled and
     * settled with it. Null: placed under its own request id.
     */
    placementBatchId: text("placement_batch_id").references((): AnyPgColumn => vendorBatches.id),
    status: vendorBatchStatus("status").notNull().default("open"),
    /** Cards in the batch (sum of its members' quantities), fixed when it closes. */
    quantity: integer("quantity").notNull().default(0),
    members: integer("members").notNull().default(0),
    /** An open batch closes no earlier than this (the gathering window). */
    closeAt: timestamp("close_at", { withTimezone: true, precision: 3 }).notNull(),
    vendorOrderId: text("vendor_order_id"),
    vendorStatus: text("vendor_status"),
    failureCode: text("failure_code"),
    /** Polling (shared poller): when to ask the vendor next, how often asked, when last asked. */
    nextPollAt: timestamp("next_poll_at", { withTimezone: true, precision: 3 }),
    pollCount: integer("poll_count").notNull().default(0),
    lastPolledAt: timestamp("last_polled_at", { withTimezone: true, precision: 3 }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    placedAt: timestamp("placed_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("vendor_batches_request_uq").on(t.vendorRequestId),
    // At most one open batch per key: concurrent arrivals agree on it.
    uniqueIndex("vendor_batches_open_uq").on(t.environment, t.account, t.vendorProductId, t.faceValue, t.faceCurrency).where(sql`${t.status} = 'open'`),
    index("vendor_batches_status_updated_idx").on(t.status, t.updatedAt),
    index("vendor_batches_placement_idx").on(t.placementBatchId).where(sql`${t.placementBatchId} is not null`),
    index("vendor_batches_next_poll_idx").on(t.nextPollAt).where(sql`${t.status} in ('placing', 'placed')`),
    check("vendor_batches_quantity_ck", sql`${t.quantity} between 0 and 500`),
  ],
);

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
    /**
     * What the vendor charged for the cards delivered (its get-order total, shared over a batch's
     * cards; the estimate when it gave none), set when the order completes; null before, and for
     * orders completed before revenue was recognised. Margin = totalPrice − refundedAmount − settledCost.
     */
    settledCost: money("settled_cost"),
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
    /**
     * Placed in a vendor batch (orders made before batching existed are false: they keep their own
     * request id, which the vendor may already have). `batchId` is set when the batch closes.
     */
    batched: boolean("batched").notNull().default(true),
    batchId: text("batch_id").references(() => vendorBatches.id),
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
    index("orders_batch_idx").on(t.batchId),
    // The pool of pending orders waiting for a batch, per product.
    index("orders_batch_pool_idx")
      .on(t.environment, t.productId, t.faceValue, t.createdAt)
      .where(sql`${t.status} = 'pending' and ${t.batched} and ${t.batchId} is null`),
    check("orders_quantity_ck", sql`${t.quantity} between 1 and 500`),
    check("orders_amounts_ck", sql`${t.faceValue} > 0 and ${t.unitPrice} > 0 and ${t.totalPrice} > 0`),
    check("orders_refund_ck", sql`${t.refundedAmount} >= 0 and ${t.refundedAmount} <= ${t.totalPrice}`),
    check("orders_cards_ck", sql`${t.cardsDelivered} between 0 and ${t.quantity}`),
    check("orders_settled_cost_ck", sql`${t.settledCost} is null or ${t.settledCost} >= 0`),
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
    /** For a batched order: the vendor batch and the card's position in the vendor's answer (unique: a card goes to one order). */
    batchId: text("batch_id"),
    batchPosition: integer("batch_position"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("order_cards_position_uq").on(t.orderId, t.position),
    index("order_cards_partner_idx").on(t.partnerId),
    uniqueIndex("order_cards_batch_position_uq").on(t.batchId, t.batchPosition),
  ],
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
