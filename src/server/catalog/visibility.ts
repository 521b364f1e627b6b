import DecimalBase from "decimal.js";
import { and, eq, inArray, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { envValue } from "@/lib/env";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx } from "@/server/db/client";
import { catalogBrands, catalogProducts, partnerProductPrices, partners } from "@/server/db/schema";
import { quote, quoteIfSellable, SANDBOX_MARKUP_BPS } from "./pricing";

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

/*
 * Admin pricing (issue 17 item 4): which products a live partner may sell and at what markup.
 * Every change goes through `setPartnerPrices` / `removePartnerPrices`: the profit guard first,
 * then the rows and their audit entry (markups before and after) in one transaction.
 */

/** What the admin's product table may be narrowed to; all optional, applied together. */
interface PricingFilters {
  /** Any part of the SKU, the product's or the brand's name, any case. */
  search?: string;
  /** Exact brand name, any case. */
  brand?: string;
  country?: string;
  currency?: string;
  /** Only the products assigned to the partner, or only the others. */
  assigned?: "assigned" | "unassigned";
}

function pricingConditions(f: PricingFilters) {
  const out = [eq(catalogProducts.active, true)];
  const s = f.search?.trim();
  if (s) {
    const like = `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    out.push(sql`(${catalogProducts.sku} ilike ${like} or ${catalogProducts.name} ilike ${like} or ${catalogBrands.name} ilike ${like})`);
  }
  if (f.brand) out.push(sql`lower(${catalogBrands.name}) = lower(${f.brand})`);
  if (f.country) out.push(eq(catalogProducts.countryCode, f.country.toUpperCase()));
  if (f.currency) out.push(eq(catalogProducts.currency, f.currency.toUpperCase()));
  if (f.assigned === "assigned") out.push(sql`${partnerProductPrices.productId} is not null`);
  if (f.assigned === "unassigned") out.push(sql`${partnerProductPrices.productId} is null`);
  return and(...out);
}

/** One product at the cheapest face value: its vendor cost, and its price at a markup (null when the profit guard refuses it). */
function priceAt(p: { minFaceValue: string; costRate: string }, markupBps: number) {
  const cost = new Decimal(p.minFaceValue).times(p.costRate).toDecimalPlaces(4, Decimal.ROUND_UP).toFixed(4);
  const q = quoteIfSellable({ faceValue: p.minFaceValue, quantity: 1, costRate: p.costRate, markupBps });
  return { unitCost: cost, unitPrice: q?.unitPrice ?? null, belowCost: markupBps < 0 || q === null };
}

/**
 * The active catalog as the admin's pricing table shows it for one partner: each product with
 * the partner's markup and live price when assigned, and (with `proposedMarkupBps`) what it would
 * cost at that markup and whether the profit guard refuses it. Sorted by brand then SKU.
 */
export async function listPricingProducts(
  db: DbOrTx,
  input: PricingFilters & { partnerId: string; proposedMarkupBps?: number; limit: number; offset: number },
) {
  const rows = await db
    .select({
      id: catalogProducts.id,
      sku: catalogProducts.sku,
      name: catalogProducts.name,
      brand: catalogBrands.name,
      countryCode: catalogProducts.countryCode,
      currency: catalogProducts.currency,
      minFaceValue: catalogProducts.minFaceValue,
      maxFaceValue: catalogProducts.maxFaceValue,
      costCurrency: catalogProducts.costCurrency,
      costRate: catalogProducts.costRate,
      markupBps: partnerProductPrices.markupBps,
      approvedAt: partnerProductPrices.approvedAt,
      total: sql<number>`(count(*) over ())::int`,
    })
    .from(catalogProducts)
    .innerJoin(catalogBrands, eq(catalogBrands.id, catalogProducts.brandId))
    .leftJoin(partnerProductPrices, and(eq(partnerProductPrices.productId, catalogProducts.id), eq(partnerProductPrices.partnerId, input.partnerId)))
    .where(pricingConditions(input))
    .orderBy(catalogBrands.name, catalogProducts.sku)
    .limit(input.limit)
    .offset(input.offset);
  return {
    total: rows[0]?.total ?? 0,
    data: rows.map(({ total: _total, ...p }) => {
      const current = p.markupBps === null ? null : priceAt(p, p.markupBps);
      const proposed = input.proposedMarkupBps === undefined ? null : priceAt(p, input.proposedMarkupBps);
      return {
        ...p,
        unitCost: priceAt(p, 0).unitCost,
        unitPrice: current?.unitPrice ?? null,
        proposedPrice: proposed?.unitPrice ?? null,
        proposedBelowCost: proposed?.belowCost ?? false,
      };
    }),
  };
}

/** The brands, countries and currencies of the active catalog: the bulk assignment's choices. */
export async function pricingFacets(db: DbOrTx) {
  const rows = await db
    .selectDistinct({ brand: catalogBrands.name, country: catalogProducts.countryCode, currency: catalogProducts.currency })
    .from(catalogProducts)
    .innerJoin(catalogBrands, eq(catalogBrands.id, catalogProducts.brandId))
    .where(eq(catalogProducts.active, true));
  const sorted = (values: string[]) => [...new Set(values)].sort();
  return { brands: sorted(rows.map((r) => r.brand)), countries: sorted(rows.map((r) => r.country)), currencies: sorted(rows.map((r) => r.currency)) };
}

/** Which products a change applies to: listed ids, or every active product matching a brand, country and/or currency. */
type ProductSelection = { productIds: string[] } | { match: { brand?: string; country?: string; currency?: string } };

async function selectedProducts(db: DbOrTx, selection: ProductSelection) {
  const columns = { id: catalogProducts.id, sku: catalogProducts.sku, minFaceValue: catalogProducts.minFaceValue, costRate: catalogProducts.costRate };
  const base = db.select(columns).from(catalogProducts).innerJoin(catalogBrands, eq(catalogBrands.id, catalogProducts.brandId));
  if ("productIds" in selection) {
    if (selection.productIds.length === 0) return [];
    const rows = await base.where(and(eq(catalogProducts.active, true), inArray(catalogProducts.id, selection.productIds)));
    if (rows.length !== new Set(selection.productIds).size) {
      throw new DomainError("resource_not_found", "Some of these products are not in the active catalog; reload the table", { param: "productIds" });
    }
    return rows;
  }
  const { brand, country, currency } = selection.match;
  if (!brand && !country && !currency) {
    throw new DomainError("invalid_parameter", "Choose a brand, a country or a currency to assign by", { param: "match" });
  }
  return base.where(pricingConditions({ brand, country, currency }));
}

async function requirePartner(db: DbOrTx, partnerId: string) {
  const [row] = await db.select({ id: partners.id, businessName: partners.businessName }).from(partners).where(eq(partners.id, partnerId)).limit(1);
  if (!row) throw new DomainError("resource_not_found", "No such partner", { param: "partnerId" });
  return row;
}

const markupsOf = (rows: Array<{ sku: string; markupBps: number }>) => Object.fromEntries(rows.map((r) => [r.sku, r.markupBps]));

async function currentMarkups(db: DbOrTx, partnerId: string, productIds: string[]) {
  if (productIds.length === 0) return {};
  const rows = await db
    .select({ sku: catalogProducts.sku, markupBps: partnerProductPrices.markupBps })
    .from(partnerProductPrices)
    .innerJoin(catalogProducts, eq(catalogProducts.id, partnerProductPrices.productId))
    .where(and(eq(partnerProductPrices.partnerId, partnerId), inArray(partnerProductPrices.productId, productIds)))
    .for("update", { of: partnerProductPrices });
  return markupsOf(rows);
}

interface AdminActor {
  actor: string;
  ip?: string | null;
  reason?: string | null;
}

/**
 * Admin: the partner may sell these products live at `markupBps` over the vendor cost (new rows
 * or changed markups). The profit guard runs first: a markup under 0 or above 10000, or any
 * product the guard would refuse at that markup, is refused and nothing is written. One audit
 * entry (`pricing.assigned`, markups before and after by SKU) in the same transaction.
 */
export async function setPartnerPrices(db: Db, input: AdminActor & { partnerId: string; selection: ProductSelection; markupBps: number }) {
  if (!Number.isInteger(input.markupBps) || input.markupBps > 10_000) {
    throw new DomainError("invalid_parameter", "The markup is a whole number of basis points, at most 10000 (100%)", { param: "markupBps" });
  }
  const result = await db.transaction(async (tx) => {
    await requirePartner(tx, input.partnerId);
    const products = await selectedProducts(tx, input.selection);
    const below = products.map((p) => ({ sku: p.sku, ...priceAt(p, input.markupBps) })).filter((p) => p.belowCost);
    if (input.markupBps < 0 || below.length > 0) {
      const examples = below
        .slice(0, 3)
        .map((p) => `${p.sku}: cost ${p.unitCost}${p.unitPrice ? `, price ${p.unitPrice}` : ""}`)
        .join("; ");
      throw new DomainError(
        "below_cost",
        below.length === 0
          ? `Refused: a markup of ${input.markupBps} bps sells under the vendor's cost. The markup must be 0 or more; nothing was changed.`
          : `Refused: a markup of ${input.markupBps} bps sells ${below.length} product${below.length === 1 ? "" : "s"} under the vendor's cost (${examples}). The markup must be 0 or more; nothing was changed.`,
        { param: "markupBps" },
      );
    }
    if (products.length === 0) return { count: 0 };
    const ids = products.map((p) => p.id);
    const before = await currentMarkups(tx, input.partnerId, ids);
    await tx
      .insert(partnerProductPrices)
      .values(ids.map((productId) => ({ partnerId: input.partnerId, productId, markupBps: input.markupBps, approvedBy: input.actor })))
      .onConflictDoUpdate({
        target: [partnerProductPrices.partnerId, partnerProductPrices.productId],
        set: { markupBps: input.markupBps, approvedBy: input.actor, approvedAt: new Date() },
      });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "pricing.assigned",
      targetType: "partner",
      targetId: input.partnerId,
      metadata: { markupBps: input.markupBps, products: ids.length, ...("match" in input.selection ? { match: input.selection.match } : {}) },
      before: Object.fromEntries(products.map((p) => [p.sku, before[p.sku] ?? null])),
      after: Object.fromEntries(products.map((p) => [p.sku, input.markupBps])),
      reason: input.reason ?? null,
      ip: input.ip ?? null,
    });
    return { count: ids.length };
  });
  invalidateCatalogCache(db);
  return result;
}

/** Admin: the partner no longer sells these products live. One audit entry (`pricing.removed`) with the markups removed. */
export async function removePartnerPrices(db: Db, input: AdminActor & { partnerId: string; productIds: string[] }) {
  const result = await db.transaction(async (tx) => {
    await requirePartner(tx, input.partnerId);
    const removed = await tx
      .delete(partnerProductPrices)
      .where(and(eq(partnerProductPrices.partnerId, input.partnerId), inArray(partnerProductPrices.productId, input.productIds)))
      .returning({ productId: partnerProductPrices.productId, markupBps: partnerProductPrices.markupBps });
    if (removed.length === 0) return { count: 0 };
    const skus = await tx
      .select({ id: catalogProducts.id, sku: catalogProducts.sku })
      .from(catalogProducts)
      .where(
        inArray(
          catalogProducts.id,
          removed.map((r) => r.productId),
        ),
      );
    const skuOf = new Map(skus.map((s) => [s.id, s.sku]));
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "pricing.removed",
      targetType: "partner",
      targetId: input.partnerId,
      metadata: { products: removed.length },
      before: markupsOf(removed.map((r) => ({ sku: skuOf.get(r.productId) ?? r.productId, markupBps: r.markupBps }))),
      after: Object.fromEntries(removed.map((r) => [skuOf.get(r.productId) ?? r.productId, null])),
      reason: input.reason ?? null,
      ip: input.ip ?? null,
    });
    return { count: removed.length };
  });
  invalidateCatalogCache(db);
  return result;
}
