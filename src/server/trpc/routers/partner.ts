import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { createKeyInput, expiresAtOf, rotateKeyInput } from "@/lib/schemas/api-keys";
import { createApiKey, listApiKeysWithActivity, presentKey, revokeApiKey, rotateApiKey } from "@/server/keys";
import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { listPartnerOrders } from "@/server/orders/queries";
import { assertLiveAccess } from "@/server/partners/golive";
import { getPartnerOverview } from "@/server/partners/queries";
import { partnerProcedure, router } from "../init";
import { partners } from "@/server/db/schema";
import { eq } from "drizzle-orm";

/** Owners and developers of a partner that may have API keys: a sub-agent sells through the dashboard only (issue 18). */
const keyManager = partnerProcedure("developer").use(async ({ ctx, next }) => {
  const [p] = await ctx.db.select({ kind: partners.kind }).from(partners).where(eq(partners.id, ctx.partnerId));
  if (p?.kind === "sub_agent") throw new DomainError("sub_agent_api_refused", "Sub-agents sell through the dashboard only: they have no API keys.");
  return next();
});

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
    /** The keys of one environment (all when none is named), with status badges and recent 429s. */
    list: keyManager.input(z.object({ environment }).optional()).query(({ ctx, input }) => listApiKeysWithActivity(ctx.db, ctx.partnerId, input?.environment)),
    /** The secret is in this answer only. Live keys only after go-live approval. */
    create: keyManager.input(createKeyInput).mutation(async ({ ctx, input }) => {
      if (input.environment === "live") await assertLiveAccess(ctx.db, ctx.partnerId);
      const { key, secret } = await createApiKey(ctx.db, {
        partnerId: ctx.partnerId,
        environment: input.environment,
        name: input.name || null,
        ipAllowlist: input.ipAllowlist,
        expiresAt: expiresAtOf(input),
        actor: ctx.user.id,
      });
      return { id: key.id, start: key.start, expiresAt: key.expiresAt, secret };
    }),
    /** A new secret with the same settings; the old key keeps working for the chosen overlap. */
    rotate: keyManager.input(rotateKeyInput).mutation(async ({ ctx, input }) => {
      const rotated = await rotateApiKey(ctx.db, { partnerId: ctx.partnerId, keyId: input.keyId, overlapSeconds: input.overlapSeconds, actor: ctx.user.id });
      return { key: presentKey(rotated.key), secret: rotated.secret, previous: presentKey(rotated.previous) };
    }),
    revoke: keyManager
      .input(z.object({ keyId: z.string().min(1).max(64) }))
      .mutation(({ ctx, input }) => revokeApiKey(ctx.db, { partnerId: ctx.partnerId, keyId: input.keyId, actor: ctx.user.id })),
  }),
});
