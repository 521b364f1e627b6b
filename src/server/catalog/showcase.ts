import { and, countDistinct, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { catalogBrands, catalogProducts } from "@/server/db/schema";
import { MOCK_TEST_BRAND } from "@/server/supplier/mock/catalog";

export interface CatalogShowcase {
  brands: number;
  countries: string[];
  currencies: string[];
  products: number;
  /** Brand names with the most products first, then by name; the mock's test brand left out. */
  brandNames: string[];
}

/** The catalog at a glance for the public landing page: what is on sale, counted from the synced catalog. */
export async function catalogShowcase(db: DbOrTx, opts: { brandLimit?: number } = {}): Promise<CatalogShowcase> {
  const active = eq(catalogProducts.active, true);
  const [counts] = await db
    .select({
      brands: countDistinct(catalogProducts.brandId),
      products: sql<number>`count(*)::int`,
      countries: sql<string[]>`coalesce(array_agg(distinct ${catalogProducts.countryCode} order by ${catalogProducts.countryCode}), '{}')`,
      currencies: sql<string[]>`coalesce(array_agg(distinct ${catalogProducts.currency} order by ${catalogProducts.currency}), '{}')`,
    })
    .from(catalogProducts)
    .where(active);
  const brands = await db
    .select({ name: catalogBrands.name, n: sql<number>`count(*)::int` })
    .from(catalogProducts)
    .innerJoin(catalogBrands, eq(catalogBrands.id, catalogProducts.brandId))
    .where(and(active, sql`${catalogBrands.name} <> ${MOCK_TEST_BRAND}`))
    .groupBy(catalogBrands.name)
    .orderBy(sql`count(*) desc`, catalogBrands.name)
    .limit(opts.brandLimit ?? 24);
  return {
    brands: Number(counts?.brands ?? 0),
    products: Number(counts?.products ?? 0),
    countries: counts?.countries ?? [],
    currencies: counts?.currencies ?? [],
    brandNames: brands.map((b) => b.name),
  };
}

const SHOWCASE_TTL_MS = 60_000;
const showcaseCache = new WeakMap<object, { at: number; value: Promise<CatalogShowcase> }>();

/**
 * `catalogShowcase` kept in memory for a minute per database handle: the public landing page
 * costs no query per visit. A failure or an empty catalog (not synced yet) is never kept.
 */
export function cachedCatalogShowcase(db: DbOrTx, opts: { brandLimit?: number } = {}): Promise<CatalogShowcase> {
  const hit = showcaseCache.get(db);
  if (hit && performance.now() - hit.at < SHOWCASE_TTL_MS) return hit.value;
  const value = catalogShowcase(db, opts);
  showcaseCache.set(db, { at: performance.now(), value });
  const forget = () => showcaseCache.get(db)?.value === value && showcaseCache.delete(db);
  value.then((v) => v.products === 0 && forget(), forget); // an empty catalog is still being synced
  return value;
}
