import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { auditFilters, auditQuery } from "@/lib/schemas/audit";
import { auditActions, getAuditEntry, listAuditEntries } from "@/server/audit/queries";
import { issueAdminToken, listAdminTokens, revokeAdminToken } from "@/server/audit/tokens";
import { adminProcedure, router } from "../../init";

/**
 * The audit log: filtered view (the CSV export and the API are GET /api/admin/audit-log, same
 * filters), and the admin API tokens that read it without a session.
 */
export const adminAuditRouter = router({
  list: adminProcedure
    .input(auditFilters.extend({ limit: z.number().int().min(1).max(100).default(25), after: z.string().max(64).optional() }))
    .query(({ ctx, input }) => listAuditEntries(ctx.db, { ...auditQuery(input), limit: input.limit, startingAfter: input.after })),
  get: adminProcedure.input(z.object({ id: z.string().min(1).max(64) })).query(({ ctx, input }) => getAuditEntry(ctx.db, input.id)),
  /** The actions recorded so far, for the action filter. */
  actions: adminProcedure.query(({ ctx }) => auditActions(ctx.db)),
  tokens: router({
    list: adminProcedure.query(({ ctx }) => listAdminTokens(ctx.db)),
    /** The secret is in this answer only. */
    issue: adminProcedure
      .input(z.object({ name: z.string().trim().min(2).max(100) }))
      .mutation(({ ctx, input }) => issueAdminToken(ctx.db, { name: input.name, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
    revoke: adminProcedure
      .input(z.object({ id: z.string().min(1).max(64), reason: z.string().trim().max(500).optional() }))
      .mutation(({ ctx, input }) =>
        revokeAdminToken(ctx.db, { id: input.id, reason: input.reason || null, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) }),
      ),
  }),
});
