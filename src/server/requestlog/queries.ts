import { and, count, desc, eq, gte, ilike, isNotNull, lt, lte, max, type SQL, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import type { DbOrTx } from "@/server/db/client";
import { apiKeys, requestLogs } from "@/server/db/schema";

/** What a partner's request logs can be narrowed by (the API's `GET /api/v1/logs` and the dashboard's explorer). */
export interface RequestLogFilters {
  status?: number;
  /** "2xx", "4xx" or "5xx": the status from x00 to x99. */
  statusClass?: "2xx" | "4xx" | "5xx";
  method?: string;
  path?: string;
  /** The requests made with one key (its `start`, as the log records it). */
  keyStart?: string;
  from?: Date;
  to?: Date;
}

function conditions(partnerId: string, environment: string, f: RequestLogFilters): SQL[] {
  const where: SQL[] = [eq(requestLogs.partnerId, partnerId), eq(requestLogs.environment, environment)];
  if (f.status) where.push(eq(requestLogs.status, f.status));
  if (f.statusClass) {
    const base = Number(f.statusClass[0]) * 100;
    where.push(gte(requestLogs.status, base), lt(requestLogs.status, base + 100));
  }
  if (f.method) where.push(eq(requestLogs.method, f.method));
  if (f.path) where.push(ilike(requestLogs.path, `%${f.path.replace(/[%_\\]/g, "\\$&")}%`));
  if (f.keyStart) where.push(eq(requestLogs.keyStart, f.keyStart));
  if (f.from) where.push(gte(requestLogs.createdAt, f.from));
  if (f.to) where.push(lte(requestLogs.createdAt, f.to));
  return where;
}

function present(r: typeof requestLogs.$inferSelect) {
  return {
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
  };
}

/** A partner's own API request logs, newest first (cursor = last id seen). */
export async function listRequestLogs(db: DbOrTx, partnerId: string, environment: string, f: RequestLogFilters & { limit: number; startingAfter?: string }) {
  const where = conditions(partnerId, environment, f);
  if (f.startingAfter) where.push(lt(requestLogs.id, f.startingAfter));
  const rows = await db
    .select()
    .from(requestLogs)
    .where(and(...where))
    .orderBy(desc(requestLogs.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    data: page.map(present),
    hasMore: rows.length > f.limit,
    nextCursor: rows.length > f.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/**
 * The `start` of one of the partner's keys, to filter its requests by; another partner's key
 * (or none) is resource_not_found, as for any object the caller cannot see.
 */
export async function keyStartOf(db: DbOrTx, partnerId: string, keyId: string): Promise<string> {
  const [row] = await db
    .select({ start: apiKeys.start })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.partnerId, partnerId)));
  if (!row) throw new DomainError("resource_not_found", `No API key ${keyId}`, { param: "keyId" });
  return row.start;
}

/**
 * One request of the partner (any environment), with the key it was made with when that key is
 * still known. Only what the log stores: request and response bodies are not kept, and a key is
 * never shown beyond its `start`.
 */
export async function getRequestLog(db: DbOrTx, partnerId: string, id: string) {
  const [row] = await db
    .select({ log: requestLogs, keyId: apiKeys.id, keyName: apiKeys.name })
    .from(requestLogs)
    .leftJoin(
      apiKeys,
      and(
        eq(apiKeys.partnerId, requestLogs.partnerId),
        sql`${apiKeys.environment}::text = ${requestLogs.environment}`,
        eq(apiKeys.start, requestLogs.keyStart),
      ),
    )
    .where(and(eq(requestLogs.id, id), eq(requestLogs.partnerId, partnerId)))
    .limit(1);
  if (!row) throw new DomainError("resource_not_found", `No request log ${id}`, { param: "id" });
  return { ...present(row.log), environment: row.log.environment, key: row.keyId ? { id: row.keyId, name: row.keyName } : null, bodiesStored: false as const };
}

/** The filtered range's errors (status ≥ 400 with a code) grouped by code: how many, which status, last seen; most frequent first. */
export async function requestErrorsByCode(db: DbOrTx, partnerId: string, environment: string, f: RequestLogFilters) {
  const rows = await db
    .select({ errorCode: requestLogs.errorCode, status: requestLogs.status, count: count(), lastSeen: max(requestLogs.createdAt) })
    .from(requestLogs)
    .where(and(...conditions(partnerId, environment, f), gte(requestLogs.status, 400), isNotNull(requestLogs.errorCode)))
    .groupBy(requestLogs.errorCode, requestLogs.status)
    .orderBy(desc(count()), requestLogs.errorCode);
  return rows.map((r) => ({ errorCode: r.errorCode!, status: r.status, count: r.count, lastSeen: r.lastSeen ? new Date(r.lastSeen).toISOString() : null }));
}
