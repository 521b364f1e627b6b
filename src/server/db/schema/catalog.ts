import { sql } from "drizzle-orm";
import { boolean, check, index, integer, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { partners } from "./identity";

const money = (name: string) => numeric(name, { precision: 19, scale: 4 });

/** Brands as the vendor lists them, kept in sync by the catalog-sync job. */
export const catalogBrands = pgTable(
  "catalog_brands",
  {
    id: text("id").primaryKey(),
    vendorBrandId: text("vendor_brand_id").notNull(),
    name: text("name").notNull(),
    countryCode: text("country_code").notNull(),
    currency: text("currency").notNull(),
    description: text("description"),
    logoUrl: text("logo_url"),
    active: boolean("active").notNull().default(true),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("catalog_brands_vendor_uq").on(t.vendorBrandId)],
);

/**
 * Products (SKUs). A product with minFaceValue = maxFaceValue is a fixed denomination, otherwise
 * any face value in the range. The vendor's cost is proportional to the face value: `costRate`
 * = vendor price / face value, in the cost currency.
 */
export const catalogProducts = pgTable(
  "catalog_products",
  {
    id: text("id").primaryKey(),
    /** The SKU partners order by: `BAM-<vendor product id>`. */
    sku: text("sku").notNull(),
    vendorProductId: text("vendor_product_id").notNull(),
    brandId: text("brand_id")
      .notNull()
      .references(() => catalogBrands.id),
    name: text("name").notNull(),
    countryCode: text("country_code").notNull(),
    currency: text("currency").notNull(),
    minFaceValue: money("min_face_value").notNull(),
    maxFaceValue: money("max_face_value").notNull(),
    costCurrency: text("cost_currency").notNull(),
    costRate: numeric("cost_rate", { precision: 12, scale: 8 }).notNull(),
    active: boolean("active").notNull().default(true),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("catalog_products_sku_uq").on(t.sku),
    uniqueIndex("catalog_products_vendor_uq").on(t.vendorProductId),
    index("catalog_products_brand_idx").on(t.brandId),
    check("catalog_products_range_ck", sql`${t.minFaceValue} > 0 and ${t.maxFaceValue} >= ${t.minFaceValue}`),
    check("catalog_products_cost_ck", sql`${t.costRate} > 0`),
  ],
);

/**
 * Live visibility and price, per partner and product: only approved products are visible in
 * live, at `markupBps` over the vendor cost (100 bps = 1%). Sandbox uses the default list.
 */
export const partnerProductPrices = pgTable(
  "partner_product_prices",
  {
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    productId: text("product_id")
      .notNull()
      .references(() => catalogProducts.id, { onDelete: "cascade" }),
    markupBps: integer("markup_bps").notNull(),
    approvedBy: text("approved_by").notNull(),
    approvedAt: timestamp("approved_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.partnerId, t.productId] }),
    index("partner_product_prices_product_idx").on(t.productId),
    // Never below cost: the profit guard starts in the data itself.
    check("partner_product_prices_markup_ck", sql`${t.markupBps} >= 0 and ${t.markupBps} <= 10000`),
  ],
);

/** One row per catalog-sync run, for admins. */
export const catalogSyncRuns = pgTable("catalog_sync_runs", {
  id: text("id").primaryKey(),
  status: text("status").notNull(), // running | completed | failed
  brands: integer("brands").notNull().default(0),
  products: integer("products").notNull().default(0),
  deactivated: integer("deactivated").notNull().default(0),
  pages: integer("pages").notNull().default(0),
  error: text("error"),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
});
