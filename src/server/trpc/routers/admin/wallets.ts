import { z } from "zod";
import { listTopupRequests } from "@/server/ledger";
import { approvePartnerTopup, creditPartnerWallet, rejectPartnerTopup } from "@/server/partners/funding";
import { adminProcedure, router } from "../../init";

/** Wallets: balances, credits and adjustments, the top-up queue, ledgers and statements. */
export const adminWalletsRouter = router({
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
