import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { listPartnerCatalog, listPricingProducts, pricingFacets, removePartnerPrices, setPartnerPrices } from "@/server/catalog/visibility";
import { adminProcedure, router } from "../../init";

const partnerId = z.string().min(1).max(64);
const markupBps = z.number().int().min(-10_000).max(10_000);
const code = (n: number) => z.string().trim().toUpperCase().length(n).optional();
const filters = {
  search: z.string().trim().max(100).optional(),
  brand: z.string().trim().max(200).optional(),
  country: code(2),
  currency: code(3),
};
const reason = z.string().trim().max(500).optional();

/** Pricing and catalog visibility per partner: products, markups, bulk assignment, preview, profit guard. */
export const adminPricingRouter = router({
  /** The active catalog with the partner's markups (and, with `proposedMarkupBps`, the profit guard's verdict on each row). */
  products: adminProcedure
    .input(
      z.object({
        partnerId,
        ...filters,
        assigned: z.enum(["assigned", "unassigned"]).optional(),
        proposedMarkupBps: markupBps.optional(),
        limit: z.number().int().min(1).max(200).default(50),
        offset: z.number().int().min(0).default(0),
      }),
    )
    .query(({ ctx, input }) => listPricingProducts(ctx.db, input)),

  /** The brands, countries and currencies bulk assignment can choose from. */
  facets: adminProcedure.query(({ ctx }) => pricingFacets(ctx.db)),

  /** Assign products (listed, or every product of a brand, country and/or currency) at a markup; the profit guard refuses below-cost prices. Audited. */
  assign: adminProcedure
    .input(
      z.object({
        partnerId,
        markupBps,
        reason,
        selection: z.union([
          z.object({ productIds: z.array(z.string().min(1).max(64)).min(1).max(5_000) }),
          z.object({ match: z.object(filters).omit({ search: true }) }),
        ]),
      }),
    )
    .mutation(({ ctx, input }) => setPartnerPrices(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),

  /** The partner no longer sells these products live. Audited. */
  remove: adminProcedure
    .input(z.object({ partnerId, productIds: z.array(z.string().min(1).max(64)).min(1).max(5_000), reason }))
    .mutation(({ ctx, input }) => removePartnerPrices(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),

  /** The partner's catalog exactly as `GET /api/v1/catalog` shows it in that environment (same function). */
  preview: adminProcedure
    .input(
      z.object({
        partnerId,
        environment: z.enum(["sandbox", "live"]),
        brand: filters.brand,
        country: filters.country,
        currency: filters.currency,
        limit: z.number().int().min(1).max(100).default(100),
        startingAfter: z.string().max(64).optional(),
      }),
    )
    .query(({ ctx, input }) => {
      const { partnerId: id, environment, ...query } = input;
      return listPartnerCatalog(ctx.db, id, environment, query);
    }),
});
