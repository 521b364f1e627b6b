import { z } from "zod";
import { listCatalogSyncRuns, requestCatalogSync } from "@/server/catalog/admin";
import { listTopupRequests } from "@/server/ledger";
import { approvePartnerTopup, creditPartnerWallet, rejectPartnerTopup } from "@/server/partners/funding";
import { listPartners } from "@/server/partners/queries";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { adminProcedure, router } from "../init";

export const adminRouter = router({
  partners: adminProcedure.query(({ ctx }) => listPartners(ctx.db)),
  /** Which vendor live orders reach: dashboards warn when it is the mock. */
  system: adminProcedure.query(() => ({ liveVendor: liveVendorIsMock() ? ("mock" as const) : ("bamboo" as const) })),
  catalogSyncRuns: adminProcedure.query(({ ctx }) => listCatalogSyncRuns(ctx.db)),
  runCatalogSync: adminProcedure.mutation(({ ctx }) => requestCatalogSync(ctx.db, ctx.user.id)),
  topups: adminProcedure
    .input(z.object({ status: z.enum(["pending", "approved", "rejected"]).optional() }).optional())
    .query(({ ctx, input }) => listTopupRequests(ctx.db, { status: input?.status, limit: 100 })),
  approveTopup: adminProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), reason: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) => approvePartnerTopup(ctx.db, { ...input, actor: ctx.user.id })),
  rejectTopup: adminProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), reason: z.string().trim().min(3).max(500) }))
    .mutation(({ ctx, input }) => rejectPartnerTopup(ctx.db, { ...input, actor: ctx.user.id })),
  creditWallet: adminProcedure
    .input(
      z.object({
        partnerId: z.string().min(1).max(64),
        environment: z.enum(["sandbox", "live"]),
        currency: z.string().regex(/^[A-Z]{3}$/),
        amount: z.string().regex(/^\d{1,15}(\.\d{1,4})?$/),
        reason: z.string().trim().min(3).max(500),
      }),
    )
    .mutation(({ ctx, input }) => creditPartnerWallet(ctx.db, { ...input, actor: ctx.user.id })),
});
