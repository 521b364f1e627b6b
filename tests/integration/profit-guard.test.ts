import DecimalBase from "decimal.js";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { quote } from "@/server/catalog/pricing";
import { syncCatalog } from "@/server/catalog/sync";
import { approveProducts, invalidateCatalogCache, listPartnerCatalog } from "@/server/catalog/visibility";
import type { Db } from "@/server/db/client";
import { catalogProducts, orders, partnerProductPrices } from "@/server/db/schema";
import { adminCredit, checkInvariants, findWallet } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { createBambooClient } from "@/server/supplier/bamboo";
import { MOCK_RATE_LIMITS } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";
import { startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";

/**
 * The profit guard (issue 17 item 4): a partner's price is the vendor cost plus a markup in basis
 * points, rounded up. A below-cost price is refused where pricing is set (a negative markup) and
 * where an order is written (a catalog sync raised the cost after the order was quoted), with the
 * code `below_cost` and nothing written or charged. No worker runs: only pricing and acceptance.
 */

const Decimal = DecimalBase.clone({ precision: 40 });
const SKU = "BAM-990001"; // the mock's ranged USD product
const VENDOR_PRODUCT = 990001;

let t: TestDatabase;
let vendor: MockVendorServer;
let sync: () => Promise<unknown>;
let productId: string;

beforeAll(async () => {
  t = await createTestDatabase(8);
  // Catalog syncs back to back (the test re-syncs after each vendor price change): no catalog rate limit.
  vendor = await startMockVendorServer(t.db, { fulfilMs: 400, rateLimits: { ...MOCK_RATE_LIMITS, catalog: { perSecond: 1000, burst: 1000 } } });
  const client = createBambooClient(t.db, vendor.clientConfig({ limits: { catalogMs: 0, otherMs: 0 } }));
  sync = () => syncCatalog(t.db, client.catalogPages());
  await sync();
  const [p] = await t.db.select({ id: catalogProducts.id }).from(catalogProducts).where(eq(catalogProducts.sku, SKU));
  productId = p!.id;
});
afterAll(async () => {
  await vendor?.close();
  await t?.close();
});

async function livePartner(name: string) {
  const partnerId = await makePartner(t.db, name);
  await adminCredit(t.db, { partnerId, environment: "live", currency: "USD", amount: "1000.00", reason: "test funds", actor: "usr_admin" });
  return partnerId;
}

const liveBalance = async (partnerId: string) => (await findWallet(t.db, partnerId, "live", "USD"))!.balance;

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return "OK";
  } catch (e) {
    return e instanceof DomainError ? `${e.code}:${e.param ?? ""}` : String(e);
  }
}

const costRate = async () =>
  (await t.db.select({ costRate: catalogProducts.costRate }).from(catalogProducts).where(eq(catalogProducts.id, productId)))[0]!.costRate;

/** The vendor's own price changes, and the next catalog sync brings it into our catalog. */
async function vendorPriceTimes(factor: string, original: string) {
  await t.sql`update mock_vendor_products set cost_factor = ${new Decimal(original).times(factor).toFixed(8)}::numeric where id = ${VENDOR_PRODUCT}`;
}

describe("profit guard: setting prices", () => {
  it("refuses a negative markup with below_cost and writes nothing; an existing price is left as it was", async () => {
    const partnerId = await livePartner("Negative markup");
    expect(await codeOf(approveProducts(t.db, { partnerId, productIds: [productId], markupBps: -1, actor: "usr_admin" }))).toBe("below_cost:markupBps");
    expect(await codeOf(approveProducts(t.db, { partnerId, productIds: [productId], markupBps: -500, actor: "usr_admin" }))).toBe("below_cost:markupBps");
    expect(await t.db.select().from(partnerProductPrices).where(eq(partnerProductPrices.partnerId, partnerId))).toEqual([]);
    invalidateCatalogCache(t.db);
    expect((await listPartnerCatalog(t.db, partnerId, "live", { limit: 100 })).data).toEqual([]);

    expect(await approveProducts(t.db, { partnerId, productIds: [productId], markupBps: 300, actor: "usr_admin" })).toBe(1);
    expect(await codeOf(approveProducts(t.db, { partnerId, productIds: [productId], markupBps: -1, actor: "usr_other" }))).toBe("below_cost:markupBps");
    const [row] = await t.db.select().from(partnerProductPrices).where(eq(partnerProductPrices.partnerId, partnerId));
    expect(row).toMatchObject({ markupBps: 300, approvedBy: "usr_admin" });
  });

  it("refuses a markup that is not a whole number of basis points up to 10000 (invalid_parameter)", async () => {
    const partnerId = await livePartner("Odd markup");
    for (const markupBps of [10_001, 1.5, Number.NaN]) {
      expect(await codeOf(approveProducts(t.db, { partnerId, productIds: [productId], markupBps, actor: "usr_admin" }))).toBe("invalid_parameter:markupBps");
    }
    expect(await t.db.select().from(partnerProductPrices).where(eq(partnerProductPrices.partnerId, partnerId))).toEqual([]);
  });

  it("the table refuses a negative markup written around the domain function (CHECK)", async () => {
    const partnerId = await makePartner(t.db, "Around");
    await expect(
      t.sql`insert into partner_product_prices (partner_id, product_id, markup_bps, approved_by) values (${partnerId}, ${productId}, -1, 'sql')`,
    ).rejects.toThrow(/partner_product_prices_markup_ck/);
  });

  it("at markup 0 every live price covers its vendor cost (the cost rounded up to the cent)", async () => {
    const partnerId = await livePartner("Zero markup");
    const all = await t.db.select({ id: catalogProducts.id }).from(catalogProducts).where(eq(catalogProducts.active, true));
    await approveProducts(t.db, { partnerId, productIds: all.map((p) => p.id), markupBps: 0, actor: "usr_admin" });
    invalidateCatalogCache(t.db);
    const products = await t.db.select().from(catalogProducts).where(eq(catalogProducts.active, true));
    const byPrice = new Map(products.map((p) => [p.sku, p]));
    let seen = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await listPartnerCatalog(t.db, partnerId, "live", { limit: 100, startingAfter: cursor });
      for (const item of page.data) {
        const p = byPrice.get(item.sku)!;
        const cost = new Decimal(p.minFaceValue).times(p.costRate);
        expect(new Decimal(item.unitPrice).greaterThanOrEqualTo(cost), item.sku).toBe(true);
        expect(new Decimal(item.unitPrice).minus(cost).lessThan("0.01"), item.sku).toBe(true);
        seen++;
      }
      if (!page.hasMore) break;
      cursor = page.nextCursor!;
    }
    expect(seen).toBe(products.length);
  });
});

describe("profit guard: placing orders", () => {
  it("after the vendor's price rose (a sync brought it in), an order is priced at the new cost plus the markup, never under it", async () => {
    const partnerId = await livePartner("Cost rise");
    await approveProducts(t.db, { partnerId, productIds: [productId], markupBps: 200, actor: "usr_admin" });
    const order = (referenceId: string) =>
      createOrder(t.db, { partnerId, environment: "live", sku: SKU, faceValue: "50.00", quantity: 2, referenceId, actor: "key_test" });
    const before = (await order("rise-1")).order;
    const [{ original }] = (await t.sql`select cost_factor::text as original from mock_vendor_products where id = ${VENDOR_PRODUCT}`) as unknown as [
      { original: string },
    ];
    await vendorPriceTimes("1.10", original);
    try {
      await sync();
      const rate = await costRate();
      const after = (await order("rise-2")).order;
      const expected = quote({ faceValue: "50.00", quantity: 2, costRate: rate, markupBps: 200 });
      expect({ unitPrice: after.unitPrice, totalPrice: after.totalPrice, vendorCost: after.vendorCost }).toEqual({
        unitPrice: expected.unitPrice,
        totalPrice: expected.totalPrice,
        vendorCost: expected.totalCost,
      });
      expect(new Decimal(after.unitPrice).greaterThan(before.unitPrice)).toBe(true);
      expect(new Decimal(after.unitPrice).greaterThanOrEqualTo(new Decimal("50.00").times(rate))).toBe(true);
      expect(await liveBalance(partnerId)).toBe(new Decimal("1000").minus(before.totalPrice).minus(after.totalPrice).toFixed(4));
    } finally {
      await vendorPriceTimes("1", original);
      await sync();
    }
  });

  it("a sync raising the cost between the quote and the write: refused below_cost, nothing charged or written; a retry is priced at the new cost", async () => {
    const partnerId = await livePartner("Race");
    await approveProducts(t.db, { partnerId, productIds: [productId], markupBps: 200, actor: "usr_admin" });
    const original = await costRate();
    const raised = new Decimal(original).times("1.05").toFixed(8); // above the 2 % markup
    // The order is quoted from the product row, then (first raw statement: its accounts) a catalog
    // sync commits the higher cost, then the order's one statement runs: a real concurrent write, in
    // the window between the two.
    let raisedOnce = false;
    const racing = new Proxy(t.db, {
      get(target, prop, receiver) {
        if (prop === "execute") {
          return async (query: Parameters<Db["execute"]>[0]) => {
            if (!raisedOnce) {
              raisedOnce = true;
              await t.sql`update catalog_products set cost_rate = ${raised}::numeric where id = ${productId}`;
            }
            return target.execute(query);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Db;
    const input = { partnerId, environment: "live", sku: SKU, faceValue: "20.00", quantity: 3, referenceId: "race-1", actor: "key_test" } as const;
    try {
      expect(await codeOf(createOrder(racing, input))).toBe("below_cost:sku");
      expect(raisedOnce).toBe(true);
      expect(
        await t.db
          .select()
          .from(orders)
          .where(and(eq(orders.partnerId, partnerId), eq(orders.referenceId, "race-1"))),
      ).toEqual([]);
      expect(await liveBalance(partnerId)).toBe("1000.0000");
      const debits = await t.sql`select 1 from ledger_transfers t join ledger_accounts a on a.id = t.debit_account_id
        where t.kind = 'order_debit' and a.partner_id = ${partnerId}`;
      expect(debits).toHaveLength(0);

      // The same reference again: nothing was taken under it, so it is a new order at today's cost.
      const { order, created } = await createOrder(t.db, input);
      expect(created).toBe(true);
      expect(order.unitPrice).toBe(quote({ faceValue: "20.00", quantity: 3, costRate: raised, markupBps: 200 }).unitPrice);
      expect(new Decimal(order.unitPrice).greaterThanOrEqualTo(new Decimal("20.00").times(raised))).toBe(true);
      expect(await liveBalance(partnerId)).toBe(new Decimal("1000").minus(order.totalPrice).toFixed(4));
      // A replay of the accepted order is returned as always, even though the cost moves again.
      await t.sql`update catalog_products set cost_rate = ${new Decimal(raised).times(2).toFixed(8)}::numeric where id = ${productId}`;
      expect(await createOrder(t.db, input)).toMatchObject({ created: false, order: { id: order.id } });
    } finally {
      await t.sql`update catalog_products set cost_rate = ${original}::numeric where id = ${productId}`;
    }
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });
});
