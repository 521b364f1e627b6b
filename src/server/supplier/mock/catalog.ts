import Decimal from "decimal.js";
import { inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { catalogProducts, mockVendorAccounts, mockVendorBrands, mockVendorProducts } from "@/server/db/schema";
import { mulberry32 } from "@/lib/prng";
import { MOCK_ACCOUNT_ID } from "../bamboo/config";

const MARKETS = [
  { country: "US", currency: "USD" },
  { country: "CA", currency: "CAD" },
  { country: "GB", currency: "GBP" },
  { country: "IE", currency: "EUR" },
  { country: "DE", currency: "EUR" },
  { country: "FR", currency: "EUR" },
  { country: "ES", currency: "EUR" },
  { country: "IT", currency: "EUR" },
  { country: "NL", currency: "EUR" },
  { country: "AU", currency: "AUD" },
] as const;

/** Value of one unit of each currency in USD: the mock prices every product in USD. */
const USD_RATE: Record<string, string> = { USD: "1", EUR: "1.08", GBP: "1.27", CAD: "0.73", AUD: "0.66" };

const DENOMINATIONS: Record<string, string[]> = {
  USD: ["10", "25", "50", "100"],
  CAD: ["15", "25", "50", "100"],
  GBP: ["10", "20", "50", "100"],
  EUR: ["10", "25", "50", "100"],
  AUD: ["20", "50", "100"],
};

// Fictional, real-sounding brands (no trademarks), with a category for the description.
const BRANDS: Array<[string, string]> = [
  ["Northwind Books", "books"],
  ["Blue Harbor Coffee", "coffee"],
  ["Pinecrest Outfitters", "outdoor gear"],
  ["Lumen Electronics", "electronics"],
  ["Cedar & Sage Spa", "wellness"],
  ["Redline Gaming", "games"],
  ["Harvest Table Grocers", "groceries"],
  ["Skyway Airlines", "travel"],
  ["Copperfield Cinemas", "cinema"],
  ["Urban Thread Apparel", "fashion"],
  ["Saltwater Seafood Co.", "dining"],
  ["Maple Street Hardware", "home improvement"],
  ["Brightpath Learning", "online courses"],
  ["Velvet Note Music", "music streaming"],
  ["Summit Fitness Clubs", "fitness"],
  ["Golden Crust Bakery", "bakery"],
  ["Nimbus Cloud Storage", "software"],
  ["Rosewood Home", "home decor"],
  ["Trailhead Bikes", "cycling"],
  ["Juniper Pet Supply", "pet supplies"],
  ["Atlas Ride Share", "rides"],
  ["Silverleaf Jewelers", "jewellery"],
  ["Kettle & Crumb Cafe", "cafe"],
  ["Quantum Mobile", "mobile top-up"],
  ["Evergreen Garden Centre", "garden"],
  ["Starling Streaming", "video streaming"],
  ["Ironclad Tools", "tools"],
  ["Bluefin Sushi Bar", "dining"],
  ["Paperplane Stationery", "stationery"],
  ["Horizon Hotels", "hotels"],
  ["Little Acorn Toys", "toys"],
  ["Crimson Kitchenware", "kitchenware"],
  ["Orbit Arcade", "games"],
  ["Wildflower Beauty", "beauty"],
  ["Driftwood Surf Shop", "surf"],
  ["Metro Pharmacy", "pharmacy"],
  ["Falcon Sportswear", "sportswear"],
  ["Tidewater Fuel", "fuel"],
  ["Lantern Bookshop", "books"],
  ["Aurora Department Store", "department store"],
  ["Peak Ski Rentals", "ski"],
  ["Greenleaf Organics", "groceries"],
  ["Sapphire Cruises", "cruises"],
  ["Brick Lane Pizza", "pizza"],
];

export const MOCK_TEST_BRAND = "Steller Test Card";
/** Products of the test brand, with ids documented in docs/mock-vendor.md (ranged 1–1000, and fixed 25). */
export const MOCK_TEST_PRODUCTS = {
  USD: { ranged: 990001, fixed25: 990002 },
  EUR: { ranged: 990011, fixed25: 990012 },
  GBP: { ranged: 990021, fixed25: 990022 },
  CAD: { ranged: 990031, fixed25: 990032 },
  AUD: { ranged: 990041, fixed25: 990042 },
} as const;
const TEST_MARKETS = { USD: "US", EUR: "DE", GBP: "GB", CAD: "CA", AUD: "AU" } as const;

export type BrandRow = typeof mockVendorBrands.$inferInsert;
export type ProductRow = typeof mockVendorProducts.$inferInsert;

const BASE_DATE = Date.UTC(2026, 10, 1);

/** What the mock charges for one card of `faceValue` (2 decimals, half up): the catalog's price and the order's. */
export function mockUnitPrice(faceValue: string, costFactor: string): string {
  return new Decimal(faceValue).times(costFactor).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

function costFactor(currency: string, discountPct: number): string {
  return new Decimal(USD_RATE[currency]!).times(new Decimal(100).minus(discountPct).div(100)).toDecimalPlaces(8).toFixed();
}

function brandText(name: string, category: string, currency: string) {
  return {
    description: `${name} gift cards for ${category}. Redeemable online and in participating stores.`,
    disclaimer: "Test card issued by the Steller mock vendor. It has no value anywhere.",
    redemptionInstructions: `Enter the card code at checkout on the ${name} website, or show it in store.`,
    terms: `Valid for 36 months from issue. Not redeemable for cash. Balance in ${currency}.`,
  };
}

/** The default mock catalog: ~44 brands in several markets, fixed and ranged denominations, plus the test brand. */
function defaultMockCatalog(): { brands: BrandRow[]; products: ProductRow[] } {
  // Seeded: the same catalog on every machine and every run.
  const rand = mulberry32(20261125);
  const brands: BrandRow[] = [];
  const products: ProductRow[] = [];
  let productId = 100001;
  let position = 0;

  for (const [currency, ids] of Object.entries(MOCK_TEST_PRODUCTS)) {
    const country = TEST_MARKETS[currency as keyof typeof TEST_MARKETS];
    const internalId = `MV-TEST-${currency}`;
    const modifiedDate = new Date(BASE_DATE);
    brands.push({
      internalId,
      position: position++,
      name: MOCK_TEST_BRAND,
      countryCode: country,
      currencyCode: currency,
      logoUrl: null,
      modifiedDate,
      ...brandText(MOCK_TEST_BRAND, "testing every order path (see the magic values)", currency),
    });
    const cf = costFactor(currency, 5);
    products.push({
      id: ids.ranged,
      brandId: internalId,
      name: `${MOCK_TEST_BRAND} ${currency} 1-1000`,
      minFaceValue: "1",
      maxFaceValue: "1000",
      costFactor: cf,
      priceCurrency: "USD",
      modifiedDate,
    });
    products.push({
      id: ids.fixed25,
      brandId: internalId,
      name: `${MOCK_TEST_BRAND} 25 ${currency}`,
      minFaceValue: "25",
      maxFaceValue: "25",
      costFactor: cf,
      priceCurrency: "USD",
      modifiedDate,
    });
  }

  BRANDS.forEach(([name, category], b) => {
    const marketCount = 1 + Math.floor(rand() * 4);
    const start = Math.floor(rand() * MARKETS.length);
    const ranged = rand() < 0.3;
    for (let m = 0; m < marketCount; m++) {
      const { country, currency } = MARKETS[(start + m * 3) % MARKETS.length]!;
      const internalId = `MV-${country}-${String(b + 1).padStart(4, "0")}`;
      const modifiedDate = new Date(BASE_DATE - Math.floor(rand() * 90) * 86_400_000);
      const slug = name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
      brands.push({
        internalId,
        position: position++,
        name,
        countryCode: country,
        currencyCode: currency,
        logoUrl: `https://img.mock-vendor.test/logos/${slug}.png`,
        modifiedDate,
        ...brandText(name, category, currency),
      });
      const cf = costFactor(currency, 1 + Math.floor(rand() * 9));
      for (const value of DENOMINATIONS[currency]!) {
        products.push({
          id: productId++,
          brandId: internalId,
          name: `${name} ${value} ${currency}`,
          minFaceValue: value,
          maxFaceValue: value,
          costFactor: cf,
          priceCurrency: "USD",
          modifiedDate,
        });
      }
      if (ranged) {
        products.push({
          id: productId++,
          brandId: internalId,
          name: `${name} ${currency} 5-500`,
          minFaceValue: "5",
          maxFaceValue: "500",
          costFactor: cf,
          priceCurrency: "USD",
          modifiedDate,
        });
      }
    }
  });
  return { brands, products };
}

/** A synthetic catalog of exactly `products` products (for load and pagination tests). */
function syntheticMockCatalog(opts: { products: number; productsPerBrand?: number }): { brands: BrandRow[]; products: ProductRow[] } {
  const perBrand = opts.productsPerBrand ?? 4;
  const brands: BrandRow[] = [];
  const products: ProductRow[] = [];
  const modifiedDate = new Date(BASE_DATE);
  for (let i = 0; i < opts.products; i++) {
    const b = Math.floor(i / perBrand);
    const { country, currency } = MARKETS[b % MARKETS.length]!;
    const internalId = `SYN-${String(b + 1).padStart(6, "0")}`;
    if (i % perBrand === 0) {
      const name = `Synthetic Brand ${String(b + 1).padStart(6, "0")}`;
      brands.push({
        internalId,
        position: 100_000 + b,
        name,
        countryCode: country,
        currencyCode: currency,
        logoUrl: null,
        modifiedDate,
        ...brandText(name, "tests", currency),
      });
    }
    const value = String(5 * (1 + (i % perBrand)));
    products.push({
      id: 2_000_000 + i,
      brandId: internalId,
      name: `Synthetic ${i + 1} ${value} ${currency}`,
      minFaceValue: value,
      maxFaceValue: value,
      costFactor: costFactor(currency, 3),
      priceCurrency: "USD",
      modifiedDate,
    });
  }
  return { brands, products };
}

async function insertCatalog(db: DbOrTx, catalog: { brands: BrandRow[]; products: ProductRow[] }): Promise<void> {
  const BATCH = 1000;
  for (let i = 0; i < catalog.brands.length; i += BATCH) {
    await db
      .insert(mockVendorBrands)
      .values(catalog.brands.slice(i, i + BATCH))
      .onConflictDoNothing();
  }
  for (let i = 0; i < catalog.products.length; i += BATCH) {
    await db
      .insert(mockVendorProducts)
      .values(catalog.products.slice(i, i + BATCH))
      .onConflictDoNothing();
  }
}

/** The mock's funding accounts: products are priced in USD, so only the USD account can buy. */
const MOCK_ACCOUNTS = [
  { id: MOCK_ACCOUNT_ID, currency: "USD", balance: "1000000" },
  { id: 1002, currency: "EUR", balance: "250000" },
  { id: 1003, currency: "GBP", balance: "250000" },
];

/** Seeds the mock vendor's accounts and (unless `catalog: false`) its default catalog. Idempotent. */
export async function seedMockVendor(db: DbOrTx, opts: { catalog?: boolean } = {}): Promise<void> {
  await db.insert(mockVendorAccounts).values(MOCK_ACCOUNTS).onConflictDoNothing();
  if (opts.catalog !== false) await insertCatalog(db, defaultMockCatalog());
}

/** Adds a catalog of your own to the mock vendor (tests: a vendor with products the default mock lacks). */
export async function seedMockCatalog(db: DbOrTx, catalog: { brands: BrandRow[]; products: ProductRow[] }): Promise<void> {
  await insertCatalog(db, catalog);
}

/** A product as the mock sells it: its denominations and what one unit of face value costs. */
export interface MockProduct {
  id: number;
  minFaceValue: string;
  maxFaceValue: string;
  costFactor: string;
  priceCurrency: string;
  /** Taken from the app's synced catalog (what the partner was quoted), not the mock's own. */
  synced: boolean;
  /** False for a product the vendor no longer lists (deactivated by the last sync). */
  active: boolean;
}

/**
 * The products the mock knows among `ids`. With `syncedCatalog`, the app's synced catalog
 * (`catalog_products`, whichever vendor it came from) comes first, at its price (cost rate) and
 * denominations, so the sandbox sells exactly what the partner sees live even when that catalog
 * came from the real Bamboo; the mock's own catalog answers for the ids the sync does not know.
 */
export async function mockProductsFor(db: DbOrTx, ids: number[], opts: { syncedCatalog?: boolean } = {}): Promise<Map<number, MockProduct>> {
  const found = new Map<number, MockProduct>();
  if (opts.syncedCatalog) {
    const rows = await db
      .select({
        vendorProductId: catalogProducts.vendorProductId,
        minFaceValue: catalogProducts.minFaceValue,
        maxFaceValue: catalogProducts.maxFaceValue,
        costRate: catalogProducts.costRate,
        costCurrency: catalogProducts.costCurrency,
        active: catalogProducts.active,
      })
      .from(catalogProducts)
      .where(inArray(catalogProducts.vendorProductId, ids.map(String)));
    for (const r of rows) {
      const id = Number(r.vendorProductId);
      found.set(id, {
        id,
        minFaceValue: r.minFaceValue,
        maxFaceValue: r.maxFaceValue,
        costFactor: r.costRate,
        priceCurrency: r.costCurrency,
        synced: true,
        active: r.active,
      });
    }
  }
  const rest = ids.filter((id) => !found.has(id));
  if (rest.length) {
    for (const p of await db.select().from(mockVendorProducts).where(inArray(mockVendorProducts.id, rest))) {
      found.set(p.id, {
        id: p.id,
        minFaceValue: p.minFaceValue,
        maxFaceValue: p.maxFaceValue,
        costFactor: p.costFactor,
        priceCurrency: p.priceCurrency,
        synced: false,
        active: true,
      });
    }
  }
  return found;
}

/** Adds a synthetic catalog of `products` products (e.g. 10,000) to the mock vendor. */
export async function seedSyntheticMockCatalog(db: DbOrTx, opts: { products: number; productsPerBrand?: number }): Promise<void> {
  await insertCatalog(db, syntheticMockCatalog(opts));
}

/** Sets a mock account's balance (tests: force InsufficientBalance). */
export async function setMockAccountBalance(db: DbOrTx, accountId: number, balance: string): Promise<void> {
  await db.execute(sql`update mock_vendor_accounts set balance = ${balance} where id = ${accountId}`);
}
