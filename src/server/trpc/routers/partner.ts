import { TRPCError } from "@trpc/server";
import { getPartnerOverview } from "@/server/partners/queries";
import { partnerProcedure, router } from "../init";

export const partnerRouter = router({
  overview: partnerProcedure().query(async ({ ctx }) => {
    const overview = await getPartnerOverview(ctx.db, ctx.partnerId);
    if (!overview) throw new TRPCError({ code: "NOT_FOUND", message: "Partner not found." });
    return overview;
  }),
  /** Team list with emails: owners and finance only (developers see their own profile). */
  team: partnerProcedure("finance").query(async ({ ctx }) => {
    const overview = await getPartnerOverview(ctx.db, ctx.partnerId);
    return overview?.team ?? [];
  }),
});
