import { lt, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { Db } from "@/server/db/client";
import { requestLogs } from "@/server/db/schema";
import { pgArray } from "@/server/db/rows";
import { noteMilestone } from "@/server/partners/activation";

export type RequestLogEntry = Omit<typeof requestLogs.$inferInsert, "id">;

/**
 * Request logs are written off the request path: entries wait in a bounded in-memory buffer
 * and are flushed in batches. When the buffer is full, new entries are dropped and counted
 * (health reports the count) rather than slowing requests down. One per process, in the
 * services built at boot (`services.requestLog`).
 */
export class RequestLogWriter {
  private buffer: (typeof requestLogs.$inferInsert)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  dropped = 0;
  written = 0;
  enabled = true;

  constructor(
    private readonly db: () => Db,
    private readonly opts = { maxBuffer: 10_000, batchSize: 500, flushMs: 500 },
  ) {}

  record(entry: RequestLogEntry): void {
    // The first sandbox API call of a partner: one statement per partner per process, off the request path.
    if (entry.partnerId && entry.environment === "sandbox") void noteMilestone(this.db(), entry.partnerId, "first_sandbox_api_call");
    if (!this.enabled) return;
    if (this.buffer.length >= this.opts.maxBuffer) {
      this.dropped++;
      return;
    }
    // Whatever a client sent must not make the batch insert fail: no NUL, bounded lengths.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL text refuses, so it is stripped.
    const clean = (v: string | null | undefined, max: number) => (v == null ? v : v.replace(/\u0000/g, "").slice(0, max));
    this.buffer.push({
      id: newId("req"),
      ...entry,
      method: clean(entry.method, 16)!,
      path: clean(entry.path, 1024)!,
      ip: clean(entry.ip, 64)!,
      errorCode: clean(entry.errorCode, 64),
    });
    if (this.buffer.length >= this.opts.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs);
  }

  /** Writes everything buffered so far (tests and shutdown call this). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, this.buffer.length);
    this.flushing = (async () => {
      try {
        for (let i = 0; i < batch.length; i += this.opts.batchSize) await this.insert(batch.slice(i, i + this.opts.batchSize));
      } finally {
        this.flushing = null;
      }
    })();
    await this.flushing;
  }

  /** One batch insert; if it fails, row by row, so one bad entry costs only itself. */
  private async insert(rows: (typeof requestLogs.$inferInsert)[]): Promise<void> {
    try {
      await this.db().execute(bulkInsert(rows));
      this.written += rows.length;
      return;
    } catch (e) {
      if (rows.length === 1) {
        this.dropped++;
        const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message.split("\n")[0];
        console.error(`[request-log] dropped an entry: ${cause}`);
        return;
      }
    }
    for (const row of rows) await this.insert([row]);
  }

  stats() {
    return { buffered: this.buffer.length, written: this.written, dropped: this.dropped, enabled: this.enabled };
  }
}

/**
 * The batch as one statement with one array parameter per column (`unnest`): the statement and
 * its plan are the same whatever the batch size, and no per-value query building.
 */
function bulkInsert(rows: (typeof requestLogs.$inferInsert)[]) {
  const column = (pick: (r: typeof requestLogs.$inferInsert) => string | number | null | undefined) => pgArray(rows.map(pick));
  return sql`insert into ${requestLogs} (id, partner_id, environment, key_start, method, path, status, latency_ms, ip, request_id, error_code, created_at)
    select * from unnest(
      ${column((r) => r.id)}::text[], ${column((r) => r.partnerId)}::text[], ${column((r) => r.environment)}::text[],
      ${column((r) => r.keyStart)}::text[], ${column((r) => r.method)}::text[], ${column((r) => r.path)}::text[],
      ${column((r) => r.status)}::int[], ${column((r) => r.latencyMs)}::int[], ${column((r) => r.ip)}::text[],
      ${column((r) => r.requestId)}::text[], ${column((r) => r.errorCode)}::text[],
      ${column((r) => (r.createdAt ?? new Date()).toISOString())}::timestamptz[])`;
}

/** Retention: deletes request logs older than `days`. */
export async function deleteOldRequestLogs(db: Db, days: number): Promise<number> {
  const rows = await db
    .delete(requestLogs)
    .where(lt(requestLogs.createdAt, new Date(Date.now() - days * 86_400_000)))
    .returning({ id: requestLogs.id });
  return rows.length;
}
