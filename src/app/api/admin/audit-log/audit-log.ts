import { z } from "zod";
import { newId } from "@/lib/ids";
import { auditFilters, auditQuery } from "@/lib/schemas/audit";
import { auditCsv, listAuditEntries } from "@/server/audit/queries";
import { verifyAdminToken } from "@/server/audit/tokens";
import type { SessionUser } from "@/server/auth/session-user";
import type { DbOrTx } from "@/server/db/client";
import { ApiError, errorResponse, toApiError } from "@/server/rest/errors";
import { pagination } from "@/server/rest/contracts/common";

const auditLogQuery = z.strictObject({ ...auditFilters.shape, ...pagination, format: z.enum(["json", "csv"]).default("json") });

function bearer(req: Request): string | null {
  const auth = req.headers.get("authorization");
  return auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : null;
}

/**
 * `GET /api/admin/audit-log`: the audit log for a platform admin — a session that passed the
 * second factor, or an admin API token (`Authorization: Bearer stlr_admin_…`). The filters of the
 * admin view (actor, partnerId, action, targetType, targetId, from, to), cursor pagination as the
 * partner API (`limit`, `startingAfter` → `{ data, hasMore, nextCursor }`), errors in its envelope;
 * `format=csv` streams every matching entry as CSV instead (no pagination).
 */
export async function adminAuditLog(req: Request, db: DbOrTx, session: () => Promise<SessionUser | null>): Promise<Response> {
  const requestId = newId("req");
  try {
    const token = bearer(req);
    if (token !== null) {
      if (!(await verifyAdminToken(db, token))) throw ApiError.of("invalid_api_key", "The admin token is not valid (unknown, malformed or revoked)");
    } else {
      const user = await session();
      if (!user) throw ApiError.of("not_signed_in", "Sign in as an administrator, or send an admin token (Authorization: Bearer).");
      if (!user.isAdmin) throw ApiError.of("admin_only", "The audit log is for platform administrators who passed their second factor.");
    }
    const raw = Object.fromEntries(new URL(req.url).searchParams);
    const q = auditLogQuery.parse(raw);
    const filters = auditQuery(q);
    const headers = { "x-request-id": requestId, "cache-control": "no-store" };
    if (q.format === "csv") {
      const rows = auditCsv(db, filters);
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await rows.next();
          if (next.done) controller.close();
          else controller.enqueue(new TextEncoder().encode(next.value));
        },
        async cancel() {
          await rows.return(undefined);
        },
      });
      const filename = `steller-audit-log-${new Date().toISOString().slice(0, 10)}.csv`;
      return new Response(body, {
        headers: { ...headers, "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"` },
      });
    }
    const page = await listAuditEntries(db, { ...filters, limit: q.limit, startingAfter: q.startingAfter });
    return Response.json(page, { headers });
  } catch (error) {
    return errorResponse(toApiError(error), requestId);
  }
}
