import { boolean, doublePrecision, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Shared spacing limiter for vendor calls: one row per (vendor account, call kind). `next_at`
 * is the earliest time the next caller may go; every app instance reserves slots here.
 */
export const vendorRateLimits = pgTable("vendor_rate_limits", {
  key: text("key").primaryKey(),
  nextAt: timestamp("next_at", { withTimezone: true, precision: 6 }).notNull(),
  /** When the last call actually left (database clock): the final guard on the wire spacing. */
  lastSentAt: timestamp("last_sent_at", { withTimezone: true, precision: 6 }),
});

/**
 * A slot of the shared limiter held for one caller (e.g. an order's vendor request id) across
 * retries: a caller whose slot is further away than it may wait in process comes back later and
 * finds its place in the queue kept, instead of reserving again at the back. Deleted when used.
 */
export const vendorRateReservations = pgTable(
  "vendor_rate_reservations",
  {
    key: text("key").notNull(),
    holder: text("holder").notNull(),
    slotAt: timestamp("slot_at", { withTimezone: true, precision: 6 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.holder] }), index("vendor_rate_reservations_slot_idx").on(t.slotAt)],
);

/** One row per HTTP attempt to the vendor, card codes and PINs masked, for the admin's order detail. */
export const vendorCalls = pgTable(
  "vendor_calls",
  {
    id: text("id").primaryKey(),
    vendor: text("vendor").notNull(),
    account: text("account").notNull(),
    kind: text("kind").notNull(), // catalog | accounts | place_order | get_order
    method: text("method").notNull(),
    endpoint: text("endpoint").notNull(),
    attempt: integer("attempt").notNull(),
    status: integer("status"),
    durationMs: integer("duration_ms").notNull(),
    orderId: text("order_id"),
    requestId: text("request_id"),
    requestBody: text("request_body"),
    responseBody: text("response_body"),
    errorKind: text("error_kind"),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("vendor_calls_order_idx").on(t.orderId, t.startedAt),
    index("vendor_calls_request_idx").on(t.requestId, t.startedAt),
    index("vendor_calls_started_idx").on(t.startedAt),
  ],
);

// ---- Mock vendor (a Bamboo-compatible API served by our own app) ----

export const mockVendorAccounts = pgTable("mock_vendor_accounts", {
  id: integer("id").primaryKey(),
  currency: text("currency").notNull(),
  balance: numeric("balance", { precision: 19, scale: 4 }).notNull(),
  isActive: boolean("is_active").notNull().default(true),
});

export const mockVendorBrands = pgTable(
  "mock_vendor_brands",
  {
    internalId: text("internal_id").primaryKey(),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    countryCode: text("country_code").notNull(),
    currencyCode: text("currency_code").notNull(),
    description: text("description"),
    disclaimer: text("disclaimer"),
    redemptionInstructions: text("redemption_instructions"),
    terms: text("terms"),
    logoUrl: text("logo_url"),
    modifiedDate: timestamp("modified_date", { withTimezone: true }).notNull(),
  },
  (t) => [index("mock_vendor_brands_position_idx").on(t.position)],
);

export const mockVendorProducts = pgTable(
  "mock_vendor_products",
  {
    id: integer("id").primaryKey(),
    brandId: text("brand_id")
      .notNull()
      .references(() => mockVendorBrands.internalId, { onDelete: "cascade" }),
    name: text("name").notNull(),
    minFaceValue: numeric("min_face_value", { precision: 19, scale: 4 }).notNull(),
    maxFaceValue: numeric("max_face_value", { precision: 19, scale: 4 }).notNull(),
    /** Our cost per unit of face value, in `price_currency` (exchange rate times discount). */
    costFactor: numeric("cost_factor", { precision: 12, scale: 8 }).notNull(),
    priceCurrency: text("price_currency").notNull(),
    modifiedDate: timestamp("modified_date", { withTimezone: true }).notNull(),
  },
  (t) => [index("mock_vendor_products_brand_idx").on(t.brandId)],
);

export interface MockVendorOrderItem {
  productId: number;
  faceValue: string;
  quantity: number;
  unitPrice: string;
  /** Cards this line delivers once the order is done (older rows: from the order's outcome). */
  delivered?: number;
}

export const mockVendorOrders = pgTable("mock_vendor_orders", {
  orderId: integer("order_id").primaryKey().generatedAlwaysAsIdentity({ startWith: 700001 }),
  // Unique: the request id is the vendor's idempotency key.
  requestId: text("request_id").notNull().unique(),
  clientId: text("client_id").notNull(),
  accountId: integer("account_id").notNull(),
  items: jsonb("items").$type<MockVendorOrderItem[]>().notNull(),
  currency: text("currency").notNull(),
  total: numeric("total", { precision: 19, scale: 4 }).notNull(),
  outcome: text("outcome").notNull(), // Succeeded | Failed | PartialFailed
  fulfilMs: integer("fulfil_ms").notNull(),
  malformed: boolean("malformed").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  /** When the mock's finish notification was claimed for sending (at most once per order). */
  notifiedAt: timestamp("notified_at", { withTimezone: true, precision: 3 }),
});

/** Every place-order request the mock received, for magic values and for tests to count. */
export const mockVendorCheckoutAttempts = pgTable(
  "mock_vendor_checkout_attempts",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    requestId: text("request_id").notNull(),
    clientId: text("client_id").notNull(),
    answerStatus: integer("answer_status"),
    at: timestamp("at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (t) => [index("mock_vendor_checkout_attempts_request_idx").on(t.requestId)],
);

/** The mock's own token buckets per (client id, call kind), answering 429 like the vendor. */
export const mockVendorRateLimits = pgTable("mock_vendor_rate_limits", {
  key: text("key").primaryKey(),
  tokens: doublePrecision("tokens").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 6 }).notNull(),
});
