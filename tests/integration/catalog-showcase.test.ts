import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedCatalogShowcase, catalogShowcase } from "@/server/catalog/showcase";
import { MOCK_TEST_BRAND } from "@/server/supplier/mock/catalog";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startOrderEngine, type OrderEngine } from "../support/order-engine";

// The landing page's catalog at a glance, counted from the synced catalog.

let t: TestDatabase;
let engine: OrderEngine | undefined;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

describe("catalog showcase", () => {
  it("is empty before the first sync, and an empty answer is not kept", async () => {
    expect(await cachedCatalogShowcase(t.db)).toMatchObject({ products: 0, brands: 0, brandNames: [] });
    engine = await startOrderEngine(t); // syncs the mock vendor's catalog
    expect((await cachedCatalogShowcase(t.db)).products).toBeGreaterThan(0);
  });

  it("counts brands, products, countries and currencies, and names brands without the test brand", async () => {
    const s = await catalogShowcase(t.db, { brandLimit: 5 });
    expect(s.brands).toBeGreaterThan(40);
    expect(s.products).toBeGreaterThan(s.brands);
    expect(s.countries).toEqual(expect.arrayContaining(["US", "GB", "DE"]));
    expect(s.currencies).toEqual(["AUD", "CAD", "EUR", "GBP", "USD"]);
    expect(s.brandNames).toHaveLength(5);
    expect(s.brandNames).not.toContain(MOCK_TEST_BRAND);
    // Within its minute the cached answer is reused, not recomputed.
    expect(await cachedCatalogShowcase(t.db)).toBe(await cachedCatalogShowcase(t.db));
  });
});
