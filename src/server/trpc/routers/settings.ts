import { z } from "zod";
import { companyProfileInput, contactsInput, thresholdInput } from "@/lib/schemas/team-settings";
import { getPartnerSettings, updateCompanyProfile, updateContacts, updateEmailPreferences, updateLowBalanceThreshold } from "@/server/team/settings";
import { partnerProcedure, router } from "../init";

/**
 * The partner dashboard's settings procedures (issue 16): every member reads them (finance and
 * developers need the thresholds and contacts); only owners change them. Each change is audited.
 */
export const settingsRouter = router({
  get: partnerProcedure()
    .input(z.object({ environment: z.enum(["sandbox", "live"]) }))
    .query(({ ctx, input }) => getPartnerSettings(ctx.db, ctx.partnerId, input.environment)),
  updateProfile: partnerProcedure("owner")
    .input(companyProfileInput)
    .mutation(({ ctx, input }) => updateCompanyProfile(ctx.db, { partnerId: ctx.partnerId, actor: ctx.user.id, profile: input })),
  updateContacts: partnerProcedure("owner")
    .input(contactsInput)
    .mutation(({ ctx, input }) => updateContacts(ctx.db, { partnerId: ctx.partnerId, actor: ctx.user.id, ...input })),
  updateEmailPreferences: partnerProcedure("owner")
    .input(z.object({ reEngagement: z.boolean() }))
    .mutation(({ ctx, input }) => updateEmailPreferences(ctx.db, { partnerId: ctx.partnerId, actor: ctx.user.id, reEngagement: input.reEngagement })),
  setLowBalanceThreshold: partnerProcedure("owner")
    .input(thresholdInput)
    .mutation(({ ctx, input }) => updateLowBalanceThreshold(ctx.db, { partnerId: ctx.partnerId, actor: ctx.user.id, ...input })),
});
