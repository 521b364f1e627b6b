import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { listCatalogSyncRuns, requestCatalogSync } from "@/server/catalog/admin";
import { LedgerError, listTopupRequests } from "@/server/ledger";
import { approvePartnerTopup, creditPartnerWallet, rejectPartnerTopup } from "@/server/partners/funding";
import { listPartners } from "@/server/partners/queries";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { adminProcedure, router } from "../init";

/** Ledger refusals (bad state, bad amount) become a clear BAD_REQUEST rather than a 500. */
async function ledgerCall<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof LedgerError) throw new TRPCError({ code: e.code.endsWith("not_found") ? "NOT_FOUND" : "BAD_REQUEST", message: e.message, cause: e });
    if (e instanceof Error && e.name.startsWith("Invalid")) throw new TRPCError({ code: "BAD_REQUEST", message: e.message, cause: e });
    throw e;
  }
}

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
    .mutation(({ ctx, input }) => ledgerCall(() => approvePartnerTopup(ctx.db, { ...input, actor: ctx.user.id }))),
  rejectTopup: adminProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), reason: z.string().trim().min(3).max(500) }))
    .mutation(({ ctx, input }) => ledgerCall(() => rejectPartnerTopup(ctx.db, { ...input, actor: ctx.user.id }))),
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
    .mutation(({ ctx, input }) => ledgerCall(() => creditPartnerWallet(ctx.db, { ...input, actor: ctx.user.id }))),
});
