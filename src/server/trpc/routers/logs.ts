import { z } from "zod";
import { type LogFilters, logFilters } from "@/lib/schemas/request-logs";
import type { DbOrTx } from "@/server/db/client";
import { getRequestLog, keyStartOf, type RequestLogFilters, listRequestLogs, requestErrorsByCode } from "@/server/requestlog/queries";
import { partnerProcedure, router } from "../init";

const environment = z.enum(["sandbox", "live"]);
const filtered = logFilters.extend({ environment });

/** The URL's filters as the domain query's (days are whole UTC days, `to` included; a key id becomes its `start`). */
async function domainFilters(db: DbOrTx, partnerId: string, f: LogFilters): Promise<RequestLogFilters> {
  return {
    statusClass: f.statusClass,
    method: f.method,
    path: f.path,
    keyStart: f.keyId ? await keyStartOf(db, partnerId, f.keyId) : undefined,
    from: f.from ? new Date(`${f.from}T00:00:00Z`) : undefined,
    to: f.to ? new Date(`${f.to}T23:59:59.999Z`) : undefined,
  };
}

/**
 * The partner dashboard's request logs explorer (issue 16): the same domain queries as
 * `GET /api/v1/logs`. Owners and developers only: finance gets FORBIDDEN.
 */
export const logsRouter = router({
  list: partnerProcedure("developer")
    .input(filtered.extend({ limit: z.number().int().min(1).max(100).default(25), after: z.string().max(64).optional() }))
    .query(async ({ ctx, input }) =>
      listRequestLogs(ctx.db, ctx.partnerId, input.environment, {
        ...(await domainFilters(ctx.db, ctx.partnerId, input)),
        limit: input.limit,
        startingAfter: input.after,
      }),
    ),
  /** One request's details; another partner's id is NOT_FOUND. */
  get: partnerProcedure("developer")
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getRequestLog(ctx.db, ctx.partnerId, input.id)),
  /** The filtered range's errors grouped by code, with counts. */
  errorsByCode: partnerProcedure("developer")
    .input(filtered)
    .query(async ({ ctx, input }) => requestErrorsByCode(ctx.db, ctx.partnerId, input.environment, await domainFilters(ctx.db, ctx.partnerId, input))),
});
