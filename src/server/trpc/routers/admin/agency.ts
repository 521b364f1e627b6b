import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { convertToAgentInput, environment, moveSubAgentInput, revenueShareInput } from "@/lib/schemas/agency";
import { agentCandidates, convertToAgent, hierarchyHistory, listAgents, moveSubAgent, networkTree, setRevenueShare } from "@/server/agency/hierarchy";
import { getLimits } from "@/server/agency/limits";
import { adminProcedure, router } from "../../init";

/**
 * The agency network as admins run it (issue 18 item 1): the tree with balances and 30-day
 * volume, converting a partner into an agent, its revenue share, moving a sub-agent (history
 * kept). Suspending a node is admin.partners.suspend (a suspended agent's sub-agents cannot sell).
 */
export const adminAgencyRouter = router({
  tree: adminProcedure.input(z.object({ environment })).query(({ ctx, input }) => networkTree(ctx.db, { environment: input.environment })),
  agents: adminProcedure.query(({ ctx }) => listAgents(ctx.db)),
  /** Direct partners matching a search, to make one an agent. */
  candidates: adminProcedure.input(z.object({ q: z.string().trim().min(1).max(200) })).query(({ ctx, input }) => agentCandidates(ctx.db, input.q)),
  /** One node's history (conversion, creation under an agent, moves, share changes) and limits. */
  node: adminProcedure.input(z.object({ partnerId: z.string().min(1).max(64) })).query(async ({ ctx, input }) => {
    const [history, limits] = await Promise.all([hierarchyHistory(ctx.db, input.partnerId), getLimits(ctx.db, input.partnerId)]);
    return { history, limits };
  }),
  convert: adminProcedure
    .input(convertToAgentInput)
    .mutation(({ ctx, input }) => convertToAgent(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  setRevenueShare: adminProcedure
    .input(revenueShareInput)
    .mutation(({ ctx, input }) => setRevenueShare(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  move: adminProcedure
    .input(moveSubAgentInput)
    .mutation(({ ctx, input }) => moveSubAgent(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
});
