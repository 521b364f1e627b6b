import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { createSubAgentInput, environment, limitsInput, moneyMoveInput, payoutInput } from "@/lib/schemas/agency";
import { ORDER_STATUSES } from "@/lib/schemas/dashboard-orders";
import { fundSubAgent, payoutCommission, recallFromSubAgent } from "@/server/agency/funding";
import { agencyNode, createSubAgent, requireOwnSubAgent } from "@/server/agency/hierarchy";
import { getLimits, setLimits } from "@/server/agency/limits";
import { commissionSummary, listSubAgents, subAgentOrders } from "@/server/agency/subagents";
import type { MemberRole } from "@/server/auth/session-user";
import { partnerProcedure, router } from "../init";

/** Members of an agent (roles as partnerProcedure); a direct partner's or a sub-agent's members are refused. */
function agentProcedure(...roles: MemberRole[]) {
  return partnerProcedure(...roles).use(async ({ ctx, next }) => {
    const node = await agencyNode(ctx.db, ctx.partnerId);
    if (node?.kind !== "agent") throw new TRPCError({ code: "FORBIDDEN", message: "Only an agent's team can manage sub-agents." });
    return next();
  });
}

const subAgent = z.object({ subAgentId: z.string().min(1).max(64) });

/**
 * The agent's dashboard (issue 18 item 2), scoped to the caller's own sub-agents (another
 * agent's sub-agent reads as not found). Money moves are ledger transfers, idempotent on the
 * dialog's key and audited; creating sub-agents and setting limits is for owners.
 */
export const agencyRouter = router({
  /** Commission per currency (balance, earned, reversed, paid out) and the sub-agents with balances and activity. */
  overview: agentProcedure("finance", "developer")
    .input(z.object({ environment }))
    .query(async ({ ctx, input }) => {
      const [commission, subAgents] = await Promise.all([
        commissionSummary(ctx.db, { agentId: ctx.partnerId, environment: input.environment }),
        listSubAgents(ctx.db, { agentId: ctx.partnerId, environment: input.environment }),
      ]);
      return { commission: commission.map((c) => ({ ...c })), subAgents };
    }),
  create: agentProcedure("owner")
    .input(createSubAgentInput)
    .mutation(async ({ ctx, input }) => {
      const { ownerEmail, ...profile } = input;
      const { partner, invitation } = await createSubAgent(ctx.db, {
        agentId: ctx.partnerId,
        profile,
        ownerEmail,
        actor: ctx.user.id,
        ip: clientIpFrom(ctx.headers),
        appUrl: ctx.services.email.appUrl,
      });
      return { subAgentId: partner.id, invitation };
    }),
  /** One sub-agent: its node and limits. */
  get: agentProcedure("finance", "developer")
    .input(subAgent)
    .query(async ({ ctx, input }) => {
      const node = await requireOwnSubAgent(ctx.db, ctx.partnerId, input.subAgentId);
      return { ...node, limits: await getLimits(ctx.db, node.id) };
    }),
  fund: agentProcedure("finance")
    .input(moneyMoveInput)
    .mutation(({ ctx, input }) => fundSubAgent(ctx.db, { ...input, agentId: ctx.partnerId, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  recall: agentProcedure("finance")
    .input(moneyMoveInput)
    .mutation(({ ctx, input }) => recallFromSubAgent(ctx.db, { ...input, agentId: ctx.partnerId, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  /** Earned commission into the agent's wallet. */
  payout: agentProcedure("finance")
    .input(payoutInput)
    .mutation(({ ctx, input }) => payoutCommission(ctx.db, { ...input, agentId: ctx.partnerId, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  setLimits: agentProcedure("owner")
    .input(limitsInput)
    .mutation(({ ctx, input }) => setLimits(ctx.db, { ...input, agentId: ctx.partnerId, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  /** The sub-agent's orders (no card codes), newest first, by cursor. */
  orders: agentProcedure("finance", "developer")
    .input(
      subAgent.extend({
        environment,
        status: z.enum(ORDER_STATUSES).optional(),
        after: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(100).default(25),
      }),
    )
    .query(({ ctx, input }) =>
      subAgentOrders(ctx.db, {
        agentId: ctx.partnerId,
        subAgentId: input.subAgentId,
        environment: input.environment,
        search: { status: input.status, after: input.after, limit: input.limit },
      }),
    ),
});
