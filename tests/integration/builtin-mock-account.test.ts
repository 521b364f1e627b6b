import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInMockVendorConfig } from "@/server/supplier/mock";
import { createBambooClient } from "@/server/supplier/bamboo";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startOrderEngine, type OrderEngine } from "../support/order-engine";

/**
 * The built-in mock vendor speaks for one account in every process (not one per app URL), and
 * migration 0030 moves sandbox batches still at work under the old per-URL keys to it, so the
 * shared poller of the new lane asks about them.
 */
let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase();
  engine = await startOrderEngine(t);
  await engine.stopWorker();
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const MIGRATION = fs.readFileSync(path.resolve("drizzle/0030_builtin_mock_account.sql"), "utf8");

describe("the built-in mock vendor's account", () => {
  it("is the same whatever the app's URL", () => {
    const account = (appUrl: string) => createBambooClient(t.db, builtInMockVendorConfig(t.db, { ...engine.services.settings, APP_URL: appUrl })).account;
    expect(account("http://127.0.0.1:3000")).toBe("bamboo:builtin-mock-vendor.invalid:steller-mock-client");
    expect(account("https://steller.example")).toBe(account("http://127.0.0.1:3000"));
  });

  it("migration 0030 moves sandbox batches at work to it, leaves finished and live ones, and a second open batch of one key as it was", async () => {
    const [p] = await t.sql<{ id: string; vendor_product_id: string }[]>`select id, vendor_product_id from catalog_products limit 1`;
    const batch = (id: string, environment: string, account: string, status: string) =>
      t.sql`insert into vendor_batches (id, environment, account, product_id, vendor_product_id, face_value, face_currency, vendor_request_id, close_at, status)
        values (${id}, ${environment}, ${account}, ${p!.id}, ${p!.vendor_product_id}, 9.99, 'USD', ${`req-${id}`}, now(), ${status})`;
    await batch("bat_m1", "sandbox", "bamboo:localhost:3000:steller-mock-client", "placed");
    await batch("bat_m2", "sandbox", "bamboo:localhost:3000:steller-mock-client", "open");
    await batch("bat_m3", "sandbox", "bamboo:127.0.0.1:3001:steller-mock-client", "settled");
    await batch("bat_m4", "live", "bamboo:api.bamboo.example:live-client", "placed");
    // Another URL's open batch of the same product and face value: it cannot take the same key.
    await batch("bat_m5", "sandbox", "bamboo:127.0.0.1:3001:steller-mock-client", "open");
    await t.sql.unsafe(MIGRATION);
    const rows = await t.sql<{ id: string; account: string }[]>`select id, account from vendor_batches where id like 'bat_m%' order by id`;
    expect(rows).toEqual([
      { id: "bat_m1", account: "bamboo:builtin-mock-vendor.invalid:steller-mock-client" },
      { id: "bat_m2", account: "bamboo:builtin-mock-vendor.invalid:steller-mock-client" },
      { id: "bat_m3", account: "bamboo:127.0.0.1:3001:steller-mock-client" },
      { id: "bat_m4", account: "bamboo:api.bamboo.example:live-client" },
      { id: "bat_m5", account: "bamboo:127.0.0.1:3001:steller-mock-client" },
    ]);
  });
});
