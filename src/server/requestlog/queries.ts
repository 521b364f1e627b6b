import { and, desc, eq, gte, ilike, lt, lte, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { requestLogs } from "@/server/db/schema";

/** A partner's own API request logs, newest first (cursor = last id seen). */
export async function listRequestLogs(
  db: DbOrTx,
  partnerId: string,
  environment: string,
  f: { status?: number; method?: string; path?: string; from?: Date; to?: Date; limit: number; startingAfter?: string },
) {
  const where: SQL[] = [eq(requestLogs.partnerId, partnerId), eq(requestLogs.environment, environment)];
  if (f.status) where.push(eq(requestLogs.status, f.status));
  if (f.method) where.push(eq(requestLogs.method, f.method));
  if (f.path) where.push(ilike(requestLogs.path, `%${f.path.replace(/[%_\\]/g, "\\$&")}%`));
  if (f.from) where.push(gte(requestLogs.createdAt, f.from));
  if (f.to) where.push(lte(requestLogs.createdAt, f.to));
  if (f.startingAfter) where.push(lt(requestLogs.id, f.startingAfter));
  const rows = await db
    .select()
    .from(requestLogs)
    .where(and(...where))
    .orderBy(desc(requestLogs.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    data: page.map((r) => ({
      id: r.id,
      method: r.method,
      path: r.path,
      status: r.status,
      latencyMs: r.latencyMs,
      keyStart: r.keyStart,
      ip: r.ip,
      requestId: r.requestId,
      errorCode: r.errorCode,
      createdAt: r.createdAt.toISOString(),
    })),
    hasMore: rows.length > f.limit,
    nextCursor: rows.length > f.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
