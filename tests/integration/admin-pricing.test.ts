import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as catalogRoute from "@/app/api/v1/catalog/route";
import { quote } from "@/server/catalog/pricing";
import { catalogBrands, catalogProducts, partnerProductPrices } from "@/server/db/schema";
import { createApiKey } from "@/server/keys";
import { bindAppDatabase, call } from "../support/app";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

/**
 * Admin pricing and catalog visibility (issue 17 item 4): products assigned to a partner at a
 * markup, by list or in bulk by brand, country or currency; the preview is what the live API
 * answers; the profit guard refuses below-cost prices and writes nothing; every change audited
 * in its transaction (markups before and after).
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  // A known catalog: Alpha (US, USD) 4 products, Beta (GB, GBP) 3, Gamma (US, USD) 3, one inactive Gamma.
  const brands = [
    { id: "brd_alpha", name: "Alpha", countryCode: "US", currency: "USD", n: 4 },
    { id: "brd_beta", name: "Beta", countryCode: "GB", currency: "GBP", n: 3 },
    { id: "brd_gamma", name: "Gamma", countryCode: "US", currency: "USD", n: 4 },
  ];
  let vendorId = 1000;
  for (const b of brands) {
    await t.db.insert(catalogBrands).values({ id: b.id, vendorBrandId: b.id, name: b.name, countryCode: b.countryCode, currency: b.currency });
    for (let i = 0; i < b.n; i++) {
      vendorId++;
      await t.db.insert(catalogProducts).values({
        id: `prd_${vendorId}`,
        sku: `BAM-${vendorId}`,
        vendorProductId: String(vendorId),
        brandId: b.id,
        name: `${b.name} ${10 * (i + 1)}`,
        countryCode: b.countryCode,
        currency: b.currency,
        minFaceValue: `${10 * (i + 1)}.00`,
        maxFaceValue: `${10 * (i + 1)}.00`,
        costCurrency: "USD",
        costRate: "0.97333333",
        active: !(b.name === "Gamma" && i === 3),
      });
    }
  }
});
afterAll(async () => t?.close());

async function setup(name: string) {
  const partnerId = await makePartner(t.db, name);
  const owner = await makeUser(t.db, { partnerId, role: "owner" });
  const admin = await makeUser(t.db, { admin: true });
  return { partnerId, asOwner: await sessionCaller(t.db, owner.id), asAdmin: await sessionCaller(t.db, admin.id), adminId: admin.id };
}

const pricesOf = async (partnerId: string) =>
  Object.fromEntries(
    (await t.db.select().from(partnerProductPrices).where(eq(partnerProductPrices.partnerId, partnerId))).map((r) => [r.productId, r.markupBps]),
  );
const auditsOf = (partnerId: string) =>
  t.sql`select action, actor_user_id, before, after, metadata, ip from audit_log where partner_id = ${partnerId} and action like 'pricing.%' order by at, id`;

describe("admin pricing", () => {
  it("refuses every procedure to a partner's owner (FORBIDDEN) and writes nothing", async () => {
    const { partnerId, asOwner } = await setup("Owner only");
    const calls = [
      asOwner.admin.pricing.products({ partnerId }),
      asOwner.admin.pricing.facets(),
      asOwner.admin.pricing.preview({ partnerId, environment: "live" }),
      asOwner.admin.pricing.assign({ partnerId, markupBps: 100, selection: { match: { brand: "Alpha" } } }),
      asOwner.admin.pricing.remove({ partnerId, productIds: ["prd_1001"] }),
    ];
    for (const c of calls) expect(await codeOf(c)).toBe("FORBIDDEN");
    expect(await pricesOf(partnerId)).toEqual({});
    expect(await auditsOf(partnerId)).toHaveLength(0);
  });

  it("bulk-assigns by brand, by country and by currency at a markup; one audit entry each with the markups before and after", async () => {
    const { partnerId, asAdmin, adminId } = await setup("Bulk");
    expect(await asAdmin.admin.pricing.facets()).toEqual({ brands: ["Alpha", "Beta", "Gamma"], countries: ["GB", "US"], currencies: ["GBP", "USD"] });

    expect(await asAdmin.admin.pricing.assign({ partnerId, markupBps: 300, selection: { match: { brand: "alpha" } } })).toEqual({ count: 4 });
    expect(await asAdmin.admin.pricing.assign({ partnerId, markupBps: 500, selection: { match: { country: "GB" } } })).toEqual({ count: 3 });
    // USD: Alpha's four (300 → 250) and Gamma's three active ones (new); the inactive one is left out.
    expect(await asAdmin.admin.pricing.assign({ partnerId, markupBps: 250, selection: { match: { currency: "usd" } } })).toEqual({ count: 7 });
    const prices = await pricesOf(partnerId);
    expect(Object.keys(prices)).toHaveLength(10);
    expect(prices.prd_1001).toBe(250);
    expect(prices.prd_1005).toBe(500);
    expect(prices.prd_1011).toBeUndefined();

    const audits = await auditsOf(partnerId);
    expect(audits.map((a) => a.action)).toEqual(["pricing.assigned", "pricing.assigned", "pricing.assigned"]);
    expect(audits[0]).toMatchObject({ actor_user_id: adminId, metadata: { markupBps: 300, products: 4, match: { brand: "alpha" } } });
    expect(audits[0]!.before).toEqual({ "BAM-1001": null, "BAM-1002": null, "BAM-1003": null, "BAM-1004": null });
    expect(audits[2]!.before).toMatchObject({ "BAM-1001": 300, "BAM-1008": null });
    expect(audits[2]!.after).toMatchObject({ "BAM-1001": 250, "BAM-1008": 250 });
    expect(audits[2]!.ip).toBeTruthy();
  });

  it("the preview is exactly what GET /api/v1/catalog answers the partner's live key, at the expected prices", async () => {
    const { partnerId, asAdmin } = await setup("Preview");
    const ids = ["prd_1001", "prd_1002", "prd_1005", "prd_1008"];
    expect(await asAdmin.admin.pricing.assign({ partnerId, markupBps: 1000, selection: { productIds: ids } })).toEqual({ count: 4 });
    // Per-row edit: one product's markup changed.
    await asAdmin.admin.pricing.assign({ partnerId, markupBps: 0, selection: { productIds: ["prd_1002"] } });

    const preview = await asAdmin.admin.pricing.preview({ partnerId, environment: "live" });
    const { secret } = await createApiKey(t.db, { partnerId, environment: "live", actor: "usr_test" });
    const api = await call(catalogRoute.GET, "/api/v1/catalog", { key: secret, query: { limit: "100" } });
    expect(api.status).toBe(200);
    expect(api.json.data).toEqual(JSON.parse(JSON.stringify(preview.data)));
    expect(preview.data.map((p) => [p.sku, p.unitPrice])).toEqual([
      ["BAM-1001", quote({ faceValue: "10.00", quantity: 1, costRate: "0.97333333", markupBps: 1000 }).unitPrice],
      ["BAM-1002", quote({ faceValue: "20.00", quantity: 1, costRate: "0.97333333", markupBps: 0 }).unitPrice],
      ["BAM-1005", quote({ faceValue: "10.00", quantity: 1, costRate: "0.97333333", markupBps: 1000 }).unitPrice],
      ["BAM-1008", quote({ faceValue: "10.00", quantity: 1, costRate: "0.97333333", markupBps: 1000 }).unitPrice],
    ]);
    expect(preview.data[0]!.unitPrice).toBe("10.7100"); // 9.7334 × 1.10, rounded up to the cent

    // The admin's table shows the same price on the assigned rows.
    const table = await asAdmin.admin.pricing.products({ partnerId, assigned: "assigned" });
    expect(table.total).toBe(4);
    expect(table.data.map((r) => [r.sku, r.markupBps, r.unitPrice])).toEqual(preview.data.map((p, i) => [p.sku, [1000, 0, 1000, 1000][i], p.unitPrice]));
    // The sandbox preview is the whole active catalog.
    expect((await asAdmin.admin.pricing.preview({ partnerId, environment: "sandbox" })).data).toHaveLength(10);
  });

  it("profit guard: a below-cost markup is shown on the rows, refused with a clear message, and nothing is written or audited", async () => {
    const { partnerId, asAdmin } = await setup("Guard");
    await asAdmin.admin.pricing.assign({ partnerId, markupBps: 200, selection: { match: { brand: "Beta" } } });
    const before = await pricesOf(partnerId);

    const shown = await asAdmin.admin.pricing.products({ partnerId, brand: "Beta", proposedMarkupBps: -500 });
    expect(shown.data.map((r) => r.proposedBelowCost)).toEqual([true, true, true]);
    const fine = await asAdmin.admin.pricing.products({ partnerId, brand: "Beta", proposedMarkupBps: 0 });
    expect(fine.data.map((r) => r.proposedBelowCost)).toEqual([false, false, false]);
    expect(fine.data[0]).toMatchObject({ unitCost: "9.7334", proposedPrice: "9.7400" });

    for (const selection of [{ match: { brand: "Beta" } }, { productIds: ["prd_1001"] }]) {
      const error = await asAdmin.admin.pricing.assign({ partnerId, markupBps: -500, selection }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("under the vendor's cost") });
      expect((error as { message: string }).message).toContain("nothing was changed");
    }
    expect(await pricesOf(partnerId)).toEqual(before);
    expect((await auditsOf(partnerId)).map((a) => a.action)).toEqual(["pricing.assigned"]);
    expect(await codeOf(asAdmin.admin.pricing.assign({ partnerId, markupBps: 10_001, selection: { productIds: ["prd_1001"] } }))).toBe("BAD_REQUEST");
  });

  it("an unknown or inactive product in the list refuses the whole assignment; removal hides products and is audited", async () => {
    const { partnerId, asAdmin } = await setup("Remove");
    expect(await codeOf(asAdmin.admin.pricing.assign({ partnerId, markupBps: 100, selection: { productIds: ["prd_1001", "prd_1011"] } }))).toBe("NOT_FOUND");
    expect(await pricesOf(partnerId)).toEqual({});
    expect(await codeOf(asAdmin.admin.pricing.assign({ partnerId: "ptn_nobody", markupBps: 100, selection: { productIds: ["prd_1001"] } }))).toBe("NOT_FOUND");

    await asAdmin.admin.pricing.assign({ partnerId, markupBps: 100, selection: { productIds: ["prd_1001", "prd_1002"] } });
    expect(await asAdmin.admin.pricing.remove({ partnerId, productIds: ["prd_1002"] })).toEqual({ count: 1 });
    expect(await pricesOf(partnerId)).toEqual({ prd_1001: 100 });
    expect((await asAdmin.admin.pricing.preview({ partnerId, environment: "live" })).data.map((p) => p.sku)).toEqual(["BAM-1001"]);
    const audits = await auditsOf(partnerId);
    expect(audits.map((a) => a.action)).toEqual(["pricing.assigned", "pricing.removed"]);
    expect(audits[1]).toMatchObject({ before: { "BAM-1002": 100 }, after: { "BAM-1002": null } });
    // Removing what is not assigned changes nothing and records nothing.
    expect(await asAdmin.admin.pricing.remove({ partnerId, productIds: ["prd_1003"] })).toEqual({ count: 0 });
    expect(await auditsOf(partnerId)).toHaveLength(2);
  });
});
