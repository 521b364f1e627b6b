import DecimalBase from "decimal.js";
import { and, eq, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { envValue } from "@/lib/env";
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
  const markup = environment === "sandbox" ? sql<number>`${SANDBOX_MARKUP_BPS}::int` : sql<number>`${partnerProductPrices.markupBps}`;
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
    : base.innerJoin(partnerProductPrices, and(eq(partnerProductPrices.productId, catalogProducts.id), eq(partnerProductPrices.partnerId, partnerId)));
}

type OrderableProduct = Awaited<ReturnType<typeof findOrderableProduct>> & {};

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

/** One product as the partner sees it in the catalog. */
export interface CatalogItem {
  sku: string;
  name: string;
  brand: string;
  countryCode: string;
  faceCurrency: string;
  denomination: { type: "fixed"; faceValue: string } | { type: "range"; minFaceValue: string; maxFaceValue: string };
  priceCurrency: string;
  /** Price of one card at the minimum face value (the exact price for fixed denominations). */
  unitPrice: string;
}

/** Every product visible to the partner in this environment, priced, in SKU order. */
async function loadVisibleCatalog(db: DbOrTx, partnerId: string, environment: Environment): Promise<CatalogItem[]> {
  const rows = await visibleProducts(db, partnerId, environment).where(eq(catalogProducts.active, true));
  const items = rows.map((p): CatalogItem => {
    const fixed = new Decimal(p.minFaceValue).equals(p.maxFaceValue);
    return {
      sku: p.sku,
      name: p.name,
      brand: p.brandName,
      countryCode: p.countryCode,
      faceCurrency: p.currency,
      denomination: fixed ? { type: "fixed", faceValue: p.minFaceValue } : { type: "range", minFaceValue: p.minFaceValue, maxFaceValue: p.maxFaceValue },
      priceCurrency: p.costCurrency,
      unitPrice: quote({ faceValue: p.minFaceValue, quantity: 1, costRate: p.costRate, markupBps: p.markupBps }).unitPrice,
    };
  });
  // Code-unit order, compared the same way as the cursor below (independent of the database collation).
  return items.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

/*
 * The catalog is read far more often than it changes, so each app instance keeps every partner's
 * visible catalog in memory for CATALOG_CACHE_SECONDS and filters and pages it there: a catalog
 * request costs no database round trip but the key check. Changes made through this instance
 * (catalog sync, approvals) clear it at once; other instances see them within the TTL. Orders
 * never use it: they read product and price from the database in their own transaction.
 * Kept per database handle (tests run many databases in one process), at most MAX_CACHED lists.
 */
const MAX_CACHED = 2_000;
const catalogCaches = new WeakMap<object, Map<string, { loadedAt: number; items: Promise<CatalogItem[]> }>>();

function cacheFor(db: DbOrTx) {
  let cache = catalogCaches.get(db);
  if (!cache) catalogCaches.set(db, (cache = new Map()));
  return cache;
}

/** Forgets this instance's cached catalogs for `db` (after a sync or a visibility or price change). */
export function invalidateCatalogCache(db: DbOrTx): void {
  catalogCaches.delete(db);
}

function visibleCatalog(db: DbOrTx, partnerId: string, environment: Environment): Promise<CatalogItem[]> {
  const ttlMs = envValue("CATALOG_CACHE_SECONDS") * 1000;
  if (ttlMs === 0) return loadVisibleCatalog(db, partnerId, environment);
  const cache = cacheFor(db);
  const key = environment === "sandbox" ? "sandbox" : `live:${partnerId}`; // sandbox: one list for everybody
  const hit = cache.get(key);
  if (hit && performance.now() - hit.loadedAt < ttlMs) return hit.items;
  const items = loadVisibleCatalog(db, partnerId, environment);
  cache.delete(key);
  cache.set(key, { loadedAt: performance.now(), items });
  items.catch(() => cache.get(key)?.items === items && cache.delete(key)); // never keep a failure
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!); // the oldest load
  return items;
}

/** The partner's catalog page: visible products with their price (cursor = SKU, ascending). */
export async function listPartnerCatalog(db: DbOrTx, partnerId: string, environment: Environment, f: CatalogFilters) {
  const brand = f.brand?.toLowerCase();
  const country = f.country?.toUpperCase();
  const currency = f.currency?.toUpperCase();
  const after = f.startingAfter;
  const page: CatalogItem[] = [];
  let hasMore = false;
  for (const item of await visibleCatalog(db, partnerId, environment)) {
    if (after !== undefined && !(item.sku > after)) continue;
    if (brand && !item.brand.toLowerCase().includes(brand)) continue;
    if (country && item.countryCode !== country) continue;
    if (currency && item.faceCurrency !== currency) continue;
    if (page.length === f.limit) {
      hasMore = true;
      break;
    }
    page.push(item);
  }
  return { data: page, hasMore, nextCursor: hasMore ? (page[page.length - 1]?.sku ?? null) : null };
}

/**
 * Admin: make products visible to a live partner at a markup over the vendor cost. The profit
 * guard: a price is always the current vendor cost plus the markup, rounded up (`quote`), so only a
 * negative markup could sell under cost; it is refused (`below_cost`, nothing written), and the
 * table's CHECK refuses it as well. A cost that rises later raises the price with it; an order
 * written while a sync raises it is refused in `createOrder`.
 */
export async function approveProducts(db: DbOrTx, input: { partnerId: string; productIds: string[]; markupBps: number; actor: string }) {
  if (!Number.isInteger(input.markupBps) || input.markupBps > 10_000) {
    throw new DomainError("invalid_parameter", "markupBps must be a whole number of basis points, at most 10000 (100%)", { param: "markupBps" });
  }
  if (input.markupBps < 0) {
    throw new DomainError("below_cost", `A markup of ${input.markupBps} bps would sell under the vendor's cost; the markup must be 0 or more`, {
      param: "markupBps",
    });
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
  invalidateCatalogCache(db);
  return rows.length;
}

/** Admin: hide a product from a live partner again. */
export async function revokeProduct(db: DbOrTx, input: { partnerId: string; productId: string }) {
  await db.delete(partnerProductPrices).where(and(eq(partnerProductPrices.partnerId, input.partnerId), eq(partnerProductPrices.productId, input.productId)));
  invalidateCatalogCache(db);
}
