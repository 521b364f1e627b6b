import { z } from "zod";
import { goLiveBody } from "@/lib/schemas/go-live";
import { listEmails } from "@/server/email";
import { activationFunnel, onboardingChecklist } from "@/server/partners/activation";
import { goLiveStatus, requestGoLive } from "@/server/partners/golive";
import { adminProcedure, partnerProcedure, router } from "../init";

const DAY_MS = 24 * 3600_000;

/**
 * Onboarding: the partner's activation checklist and go-live request; for admins, the activation
 * funnel and the dev mailbox (go-live decisions are `admin.partners.goLiveRequests` / `decideGoLive`).
 */
export const onboardingRouter = router({
  /** Every milestone in journey order, with when this partner reached it. */
  checklist: partnerProcedure().query(({ ctx }) => onboardingChecklist(ctx.db, ctx.partnerId)),
  goLive: router({
    status: partnerProcedure().query(({ ctx }) => goLiveStatus(ctx.db, ctx.partnerId, ctx.user.id)),
    /** Owners only; the same schema as the form. */
    request: partnerProcedure("owner")
      .input(goLiveBody)
      .mutation(({ ctx, input }) => requestGoLive(ctx.db, { partnerId: ctx.partnerId, userId: ctx.user.id, details: input })),
  }),
  admin: router({
    /** Per milestone: partners that reached it in [from, to), and of those who signed up in it, how many reached it. Default: the last 30 days. */
    funnel: adminProcedure.input(z.object({ from: z.date().optional(), to: z.date().optional() }).optional()).query(({ ctx, input }) => {
      const to = input?.to ?? new Date();
      const from = input?.from ?? new Date(to.getTime() - 30 * DAY_MS);
      return activationFunnel(ctx.db, { from, to });
    }),
    /** The dev mailbox (table `emails`), newest first. */
    mailbox: adminProcedure
      .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).optional())
      .query(({ ctx, input }) => listEmails(ctx.db, { limit: input?.limit })),
  }),
});
