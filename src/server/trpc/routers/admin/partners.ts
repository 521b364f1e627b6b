import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { createPartnerInput, partnerListInput, partnerStatusInput, updatePartnerInput } from "@/lib/schemas/admin-partners";
import { createPartnerByHand, getPartnerDetail, searchPartners, setPartnerStatus, updatePartnerProfile } from "@/server/partners/admin";
import { decideGoLive, listGoLiveRequests } from "@/server/partners/golive";
import { adminProcedure, router } from "../../init";

/** Partners: list, detail, manual onboarding, edit, suspend / reactivate, and the go-live queue. */
export const adminPartnersRouter = router({
  /** Searchable, filtered, a page at a time (newest first); balances and last activity computed in SQL. */
  list: adminProcedure.input(partnerListInput.optional()).query(({ ctx, input }) => searchPartners(ctx.db, input ?? {})),
  get: adminProcedure.input(z.object({ partnerId: z.string().min(1).max(64) })).query(async ({ ctx, input }) => {
    const detail = await getPartnerDetail(ctx.db, input.partnerId);
    if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: `No partner ${input.partnerId}.` });
    return detail;
  }),
  /** Manual onboarding: the partner and its owner's invitation (emailed). */
  create: adminProcedure.input(createPartnerInput).mutation(async ({ ctx, input }) => {
    const { ownerEmail, ...profile } = input;
    const { partner, invitation } = await createPartnerByHand(ctx.db, {
      profile,
      ownerEmail,
      actor: ctx.user.id,
      ip: clientIpFrom(ctx.headers),
      appUrl: ctx.services.email.appUrl,
    });
    return { partnerId: partner.id, invitation };
  }),
  update: adminProcedure.input(updatePartnerInput).mutation(async ({ ctx, input }) => {
    const { partnerId, ...profile } = input;
    const { changed } = await updatePartnerProfile(ctx.db, { partnerId, profile, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) });
    return { changed };
  }),
  suspend: adminProcedure
    .input(partnerStatusInput)
    .mutation(({ ctx, input }) => setPartnerStatus(ctx.db, { ...input, status: "suspended", actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  reactivate: adminProcedure
    .input(partnerStatusInput)
    .mutation(({ ctx, input }) => setPartnerStatus(ctx.db, { ...input, status: "active", actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  /** Go-live requests, pending first, with what the partner submitted. */
  goLiveRequests: adminProcedure
    .input(z.object({ status: z.enum(["pending", "approved", "rejected"]).optional() }).optional())
    .query(({ ctx, input }) => listGoLiveRequests(ctx.db, { status: input?.status })),
  /** Approve, or reject with a reason (required): the partner is emailed, the milestone recorded, the decision audited. */
  decideGoLive: adminProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), decision: z.enum(["approve", "reject"]), reason: z.string().trim().max(1000).default("") }))
    .mutation(({ ctx, input }) => decideGoLive(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
});
