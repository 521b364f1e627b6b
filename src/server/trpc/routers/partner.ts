import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/keys";
import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { listPartnerOrders } from "@/server/orders/queries";
import { assertLiveAccess } from "@/server/partners/golive";
import { getPartnerOverview } from "@/server/partners/queries";
import { partnerProcedure, router } from "../init";

const environment = z.enum(["sandbox", "live"]);

export const partnerRouter = router({
  overview: partnerProcedure().query(async ({ ctx }) => {
    const overview = await getPartnerOverview(ctx.db, ctx.partnerId);
    if (!overview) throw new DomainError("resource_not_found", "Partner not found.");
    return overview;
  }),
  /** Team list with emails: owners and finance only (developers see their own profile). */
  team: partnerProcedure("finance").query(async ({ ctx }) => {
    const overview = await getPartnerOverview(ctx.db, ctx.partnerId);
    return overview?.team ?? [];
  }),
  /** Balances in both environments. */
  wallets: partnerProcedure("finance", "developer").query(async ({ ctx }) => {
    const [sandbox, live] = await Promise.all([listPartnerWallets(ctx.db, ctx.partnerId, "sandbox"), listPartnerWallets(ctx.db, ctx.partnerId, "live")]);
    return { sandbox, live };
  }),
  orders: partnerProcedure("finance", "developer")
    .input(z.object({ environment, limit: z.number().int().min(1).max(100).default(20), startingAfter: z.string().max(64).optional() }))
    .query(({ ctx, input }) => listPartnerOrders(ctx.db, ctx.partnerId, input.environment, { limit: input.limit, startingAfter: input.startingAfter })),
  keys: router({
    list: partnerProcedure("developer").query(({ ctx }) => listApiKeys(ctx.db, ctx.partnerId)),
    /** The secret is in this answer only. */
    create: partnerProcedure("developer")
      .input(z.object({ environment, name: z.string().trim().max(100).optional() }))
      .mutation(async ({ ctx, input }) => {
        if (input.environment === "live") await assertLiveAccess(ctx.db, ctx.partnerId);
        const { key, secret } = await createApiKey(ctx.db, {
          partnerId: ctx.partnerId,
          environment: input.environment,
          name: input.name || null,
          actor: ctx.user.id,
        });
        return { id: key.id, start: key.start, secret };
      }),
    revoke: partnerProcedure("developer")
      .input(z.object({ keyId: z.string().min(1).max(64) }))
      .mutation(({ ctx, input }) => revokeApiKey(ctx.db, { partnerId: ctx.partnerId, keyId: input.keyId, actor: ctx.user.id })),
  }),
});
