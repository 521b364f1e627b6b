import { and, eq, lt, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { Db } from "@/server/db/client";
import { catalogBrands, catalogProducts, catalogSyncRuns } from "@/server/db/schema";
import type { CatalogPage } from "@/server/supplier/bamboo";
import { costRate } from "./pricing";
import { invalidateCatalogCache } from "./visibility";

export interface SyncResult {
  runId: string;
  pages: number;
  brands: number;
  products: number;
  deactivated: number;
}

const BATCH = 1000;

function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const skuOf = (vendorProductId: number | string) => `BAM-${vendorProductId}`;

/**
 * Pulls every catalog page (the client honours the vendor's 1 request/second), then upserts
 * brands and products in one transaction, in batches. Products the vendor no longer lists are
 * deactivated, never deleted (orders point at them).
 */
export async function syncCatalog(db: Db, pages: AsyncIterable<CatalogPage>): Promise<SyncResult> {
  const runId = newId("syn");
  await db.insert(catalogSyncRuns).values({ id: runId, status: "running" });
  try {
    const brandRows: (typeof catalogBrands.$inferInsert)[] = [];
    const productRows: (typeof catalogProducts.$inferInsert)[] = [];
    let pageCount = 0;
    const startedAt = new Date();
    for await (const page of pages) {
      pageCount++;
      for (const b of page.brands) {
        const brandId = `brd_${b.internalId}`;
        brandRows.push({
          id: brandId,
          vendorBrandId: b.internalId,
          name: b.name,
          countryCode: b.countryCode,
          currency: b.currencyCode,
          description: b.description,
          logoUrl: b.logoUrl,
          active: true,
          syncedAt: startedAt,
        });
        for (const p of b.products) {
          productRows.push({
            id: `prd_${p.id}`,
            sku: skuOf(p.id),
            vendorProductId: String(p.id),
            brandId,
            name: p.name,
            countryCode: b.countryCode,
            currency: b.currencyCode,
            minFaceValue: p.minFaceValue,
            maxFaceValue: p.maxFaceValue,
            costCurrency: p.price.currencyCode,
            costRate: costRate(p.price.min, p.minFaceValue),
            active: true,
            syncedAt: startedAt,
            deactivatedAt: null,
          });
        }
      }
    }
    const deactivated = await db.transaction(async (tx) => {
      for (const batch of chunks(brandRows, BATCH)) {
        await tx
          .insert(catalogBrands)
          .values(batch)
          .onConflictDoUpdate({
            target: catalogBrands.id,
            set: {
              name: sql`excluded.name`,
              countryCode: sql`excluded.country_code`,
              currency: sql`excluded.currency`,
              description: sql`excluded.description`,
              logoUrl: sql`excluded.logo_url`,
              active: sql`true`,
              syncedAt: sql`excluded.synced_at`,
            },
          });
      }
      for (const batch of chunks(productRows, BATCH)) {
        await tx
          .insert(catalogProducts)
          .values(batch)
          .onConflictDoUpdate({
            target: catalogProducts.id,
            set: {
              name: sql`excluded.name`,
              brandId: sql`excluded.brand_id`,
              countryCode: sql`excluded.country_code`,
              currency: sql`excluded.currency`,
              minFaceValue: sql`excluded.min_face_value`,
              maxFaceValue: sql`excluded.max_face_value`,
              costCurrency: sql`excluded.cost_currency`,
              costRate: sql`excluded.cost_rate`,
              active: sql`true`,
              deactivatedAt: sql`null`,
              syncedAt: sql`excluded.synced_at`,
            },
          });
      }
      const gone = await tx
        .update(catalogProducts)
        .set({ active: false, deactivatedAt: new Date() })
        .where(and(eq(catalogProducts.active, true), lt(catalogProducts.syncedAt, startedAt)))
        .returning({ id: catalogProducts.id });
      await tx
        .update(catalogBrands)
        .set({ active: false })
        .where(and(eq(catalogBrands.active, true), lt(catalogBrands.syncedAt, startedAt)));
      return gone.length;
    });
    const result = { runId, pages: pageCount, brands: brandRows.length, products: productRows.length, deactivated };
    await db
      .update(catalogSyncRuns)
      .set({ status: "completed", pages: pageCount, brands: result.brands, products: result.products, deactivated, finishedAt: new Date() })
      .where(eq(catalogSyncRuns.id, runId));
    invalidateCatalogCache(db);
    return result;
  } catch (error) {
    await db
      .update(catalogSyncRuns)
      .set({ status: "failed", error: error instanceof Error ? error.message : String(error), finishedAt: new Date() })
      .where(eq(catalogSyncRuns.id, runId));
    invalidateCatalogCache(db); // batches committed before the failure are visible
    throw error;
  }
}
