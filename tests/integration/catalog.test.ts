import Decimal from "decimal.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quote, SANDBOX_MARKUP_BPS } from "@/server/catalog/pricing";
import { approveProducts, listPartnerCatalog, revokeProduct, type CatalogFilters } from "@/server/catalog/visibility";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

// The in-memory catalog must behave exactly like the query it replaces; a short TTL keeps the
// staleness test quick. Read once by env(), on first use.
process.env.CATALOG_CACHE_SECONDS = "1";

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(10);
  engine = await startOrderEngine(t);
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

interface Row {
  sku: string;
  brand: string;
  country_code: string;
  currency: string;
  min_face_value: string;
  cost_rate: string;
}

/** The reference: the visible sandbox catalog filtered and ordered by PostgreSQL itself. */
async function reference(f: Omit<CatalogFilters, "limit">): Promise<Row[]> {
  const like = f.brand ? `%${f.brand.replace(/[%_\\]/g, "\\$&")}%` : null;
  return t.sql<Row[]>`
    select p.sku, b.name as brand, p.country_code, p.currency, p.min_face_value, p.cost_rate
    from catalog_products p join catalog_brands b on b.id = p.brand_id
    where p.active
      and (${like}::text is null or b.name ilike ${like})
      and (${f.country ?? null}::text is null or p.country_code = upper(${f.country ?? null}))
      and (${f.currency ?? null}::text is null or p.currency = upper(${f.currency ?? null}))
      and (${f.startingAfter ?? null}::text is null or p.sku > ${f.startingAfter ?? null} collate "C")
    order by p.sku collate "C"`;
}

/** Every page of the partner's catalog through the cursor, concatenated. */
async function walk(partnerId: string, environment: "sandbox" | "live", f: CatalogFilters) {
  const out = [];
  let cursor: string | undefined = f.startingAfter;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await listPartnerCatalog(t.db, partnerId, environment, { ...f, startingAfter: cursor });
    expect(page.data.length).toBeLessThanOrEqual(f.limit);
    out.push(...page.data);
    if (!page.hasMore) {
      expect(page.nextCursor).toBeNull();
      return out;
    }
    expect(page.nextCursor).toBe(page.data[page.data.length - 1]!.sku);
    cursor = page.nextCursor!;
  }
  throw new Error("the cursor never ended");
}

describe("partner catalog (served from memory)", () => {
  it("filters, orders, prices and pages exactly like the database query (seeded property test)", async () => {
    const partner = await engine.sandboxPartner("Catalog reader");
    const all = await reference({});
    expect(all.length).toBeGreaterThan(50);
    const brands = [...new Set(all.map((r) => r.brand))];
    const countries = [...new Set(all.map((r) => r.country_code))];
    const currencies = [...new Set(all.map((r) => r.currency))];
    const piece = (s: string) => fc.nat({ max: Math.max(0, s.length - 2) }).map((i) => s.slice(i, i + 3));
    const filters = fc.record(
      {
        brand: fc.oneof(
          fc.constantFrom(...brands).chain((b) => fc.oneof(fc.constant(b.toUpperCase()), piece(b))),
          fc.constantFrom("%", "_", "zz-none"),
        ),
        country: fc.oneof(
          fc.constantFrom(...countries).map((c) => c.toLowerCase()),
          fc.constant("ZZ"),
        ),
        currency: fc.constantFrom(...currencies, "xyz"),
        startingAfter: fc.oneof(fc.constantFrom(...all.map((r) => r.sku)), fc.constant("BAM-5"), fc.constant("")),
        limit: fc.integer({ min: 1, max: 60 }),
      },
      { requiredKeys: ["limit"] },
    );
    await fc.assert(
      fc.asyncProperty(filters, async (f) => {
        const got = await walk(partner, "sandbox", f);
        const want = await reference(f);
        expect(got.map((p) => p.sku)).toEqual(want.map((r) => r.sku));
        for (const [i, p] of got.entries()) {
          const r = want[i]!;
          expect([p.brand, p.countryCode, p.faceCurrency]).toEqual([r.brand, r.country_code, r.currency]);
          expect(p.unitPrice).toBe(quote({ faceValue: r.min_face_value, quantity: 1, costRate: r.cost_rate, markupBps: SANDBOX_MARKUP_BPS }).unitPrice);
        }
      }),
      { seed: 20261125, numRuns: 60 },
    );
  });

  it("shows approvals and revocations made through this instance at once", async () => {
    const partner = await engine.sandboxPartner("Live reader");
    const [p1, p2] = await t.sql<{ id: string; sku: string }[]>`select id, sku from catalog_products where active order by sku limit 2`;
    expect((await listPartnerCatalog(t.db, partner, "live", { limit: 10 })).data).toEqual([]);
    await approveProducts(t.db, { partnerId: partner, productIds: [p1!.id, p2!.id], markupBps: 100, actor: "admin" });
    expect((await listPartnerCatalog(t.db, partner, "live", { limit: 10 })).data.map((p) => p.sku)).toEqual([p1!.sku, p2!.sku]);
    await revokeProduct(t.db, { partnerId: partner, productId: p1!.id });
    expect((await listPartnerCatalog(t.db, partner, "live", { limit: 10 })).data.map((p) => p.sku)).toEqual([p2!.sku]);
  });

  it("shows a change made elsewhere (another instance) within CATALOG_CACHE_SECONDS", async () => {
    const partner = await engine.sandboxPartner("Stale reader");
    const [p] = await t.sql<{ id: string; sku: string }[]>`select id, sku from catalog_products where active order by sku desc limit 1`;
    await approveProducts(t.db, { partnerId: partner, productIds: [p!.id], markupBps: 0, actor: "admin" });
    const before = (await listPartnerCatalog(t.db, partner, "live", { limit: 10 })).data[0]!.unitPrice;
    // Another instance raises the markup: this one may serve the old price for at most the TTL.
    await t.sql`update partner_product_prices set markup_bps = 5000 where partner_id = ${partner} and product_id = ${p!.id}`;
    const changedAt = performance.now();
    const after = await waitFor(
      "the new price",
      async () => {
        const price = (await listPartnerCatalog(t.db, partner, "live", { limit: 10 })).data[0]!.unitPrice;
        return price !== before ? price : null;
      },
      5_000,
    );
    expect(performance.now() - changedAt).toBeLessThan(2_500);
    expect(new Decimal(after).greaterThan(before)).toBe(true);
  });
});
