import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { createKeyInput, expiresAtOf } from "@/lib/schemas/api-keys";
import { listApiKeysWithActivity } from "@/server/keys";
import { issuePartnerKey, revokePartnerKey } from "@/server/partners/admin";
import { adminProcedure, router } from "../../init";

const partnerId = z.string().min(1).max(64);

/** A partner's API keys, as an admin sees them: issue, revoke, last use. */
export const adminKeysRouter = router({
  /** Every key of the partner (both environments), newest first, with last use and badges. */
  list: adminProcedure
    .input(z.object({ partnerId, environment: z.enum(["sandbox", "live"]).optional() }))
    .query(({ ctx, input }) => listApiKeysWithActivity(ctx.db, input.partnerId, input.environment)),
  /** Issues a key (a live one only for a partner with live access); the secret is returned once. */
  issue: adminProcedure.input(createKeyInput.and(z.object({ partnerId }))).mutation(({ ctx, input }) =>
    issuePartnerKey(ctx.db, {
      partnerId: input.partnerId,
      environment: input.environment,
      name: input.name,
      ipAllowlist: input.ipAllowlist,
      expiresAt: expiresAtOf(input),
      actor: ctx.user.id,
      ip: clientIpFrom(ctx.headers),
    }),
  ),
  revoke: adminProcedure
    .input(z.object({ partnerId, keyId: z.string().min(1).max(64), reason: z.string().trim().max(1000).optional() }))
    .mutation(({ ctx, input }) => revokePartnerKey(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
});
