import DecimalBase from "decimal.js";
import { and, asc, eq, gt, ilike, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { catalogBrands, catalogProducts, partnerProductPrices } from "@/server/db/schema";
import { quote, SANDBOX_MARKUP_BPS } from "./pricing";

export type Environment = "sandbox" | "live";

/*
 * The one visibility and pricing rule:
 *  - sandbox: every active product, at SANDBOX_MARKUP_BPS over the vendor cost, so a partner who
 *    just signed up can order at once;
 *  - live: exactly the active products an admin approved for the partner, at the markup set for
 *    them. Anything else is invisible and unorderable (it reads as "unknown SKU").
 */
function visibleProducts(db: DbOrTx, partnerId: string, environment: Environment) {
  const markup =
    environment === "sandbox" ? sql<number>`${SANDBOX_MARKUP_BPS}::int` : sql<number>`${partnerProductPrices.markupBps}`;
  const base = db
    .select({
      id: catalogProducts.id,
      sku: catalogProducts.sku,
      vendorProductId: catalogProducts.vendorProductId,
      name: catalogProducts.name,
      brandName: catalogBrands.name,
      countryCode: catalogProducts.countryCode,
      currency: catalogProducts.currency,
      minFaceValue: catalogProducts.minFaceValue,
      maxFaceValue: catalogProducts.maxFaceValue,
      costCurrency: catalogProducts.costCurrency,
      costRate: catalogProducts.costRate,
      markupBps: markup.as("markup_bps"),
    })
    .from(catalogProducts)
    .innerJoin(catalogBrands, eq(catalogBrands.id, catalogProducts.brandId));
  return environment === "sandbox"
    ? base
    : base.innerJoin(
        partnerProductPrices,
        and(eq(partnerProductPrices.productId, catalogProducts.id), eq(partnerProductPrices.partnerId, partnerId)),
      );
}

export type OrderableProduct = Awaited<ReturnType<typeof findOrderableProduct>> & {};

/** The product behind `sku` if this partner may order it in this environment, else null. */
export async function findOrderableProduct(db: DbOrTx, q: { partnerId: string; environment: Environment; sku: string }) {
  const [row] = await visibleProducts(db, q.partnerId, q.environment)
    .where(and(eq(catalogProducts.sku, q.sku), eq(catalogProducts.active, true)))
    .limit(1);
  return row ?? null;
}

export interface CatalogFilters {
  brand?: string;
  country?: string;
  currency?: string;
  limit: number;
  startingAfter?: string;
}

const Decimal = DecimalBase.clone({ precision: 40 });

/** The partner's catalog page: visible products with their price (cursor = SKU, ascending). */
export async function listPartnerCatalog(db: DbOrTx, partnerId: string, environment: Environment, f: CatalogFilters) {
  const where: SQL[] = [eq(catalogProducts.active, true)];
  if (f.brand) where.push(ilike(catalogBrands.name, `%${f.brand.replace(/[%_\\]/g, "\\$&")}%`));
  if (f.country) where.push(eq(catalogProducts.countryCode, f.country.toUpperCase()));
  if (f.currency) where.push(eq(catalogProducts.currency, f.currency.toUpperCase()));
  if (f.startingAfter) where.push(gt(catalogProducts.sku, f.startingAfter));
  const rows = await visibleProducts(db, partnerId, environment)
    .where(and(...where))
    .orderBy(asc(catalogProducts.sku))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    data: page.map((p) => {
      const fixed = new Decimal(p.minFaceValue).equals(p.maxFaceValue);
      const unit = quote({ faceValue: p.minFaceValue, quantity: 1, costRate: p.costRate, markupBps: p.markupBps });
      return {
        sku: p.sku,
        name: p.name,
        brand: p.brandName,
        countryCode: p.countryCode,
        faceCurrency: p.currency,
        denomination: fixed
          ? { type: "fixed" as const, faceValue: p.minFaceValue }
          : { type: "range" as const, minFaceValue: p.minFaceValue, maxFaceValue: p.maxFaceValue },
        priceCurrency: p.costCurrency,
        /** Price of one card at the minimum face value (the exact price for fixed denominations). */
        unitPrice: unit.unitPrice,
      };
    }),
    hasMore: rows.length > f.limit,
    nextCursor: rows.length > f.limit ? (page[page.length - 1]?.sku ?? null) : null,
  };
}

/** Admin: make products visible to a live partner at a markup (≥ 0: never below cost). */
export async function approveProducts(
  db: DbOrTx,
  input: { partnerId: string; productIds: string[]; markupBps: number; actor: string },
) {
  if (!Number.isInteger(input.markupBps) || input.markupBps < 0 || input.markupBps > 10_000) {
    throw new RangeError("markupBps must be an integer between 0 and 10000");
  }
  if (input.productIds.length === 0) return 0;
  const rows = await db
    .insert(partnerProductPrices)
    .values(input.productIds.map((productId) => ({ partnerId: input.partnerId, productId, markupBps: input.markupBps, approvedBy: input.actor })))
    .onConflictDoUpdate({
      target: [partnerProductPrices.partnerId, partnerProductPrices.productId],
      set: { markupBps: input.markupBps, approvedBy: input.actor, approvedAt: new Date() },
    })
    .returning({ productId: partnerProductPrices.productId });
  return rows.length;
}

/** Admin: hide a product from a live partner again. */
export async function revokeProduct(db: DbOrTx, input: { partnerId: string; productId: string }) {
  await db
    .delete(partnerProductPrices)
    .where(and(eq(partnerProductPrices.partnerId, input.partnerId), eq(partnerProductPrices.productId, input.productId)));
}
