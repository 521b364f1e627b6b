import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { getDb, type DbOrTx } from "@/server/db/client";
import { jobEvents } from "@/server/db/schema";
import type { AppEvent } from "./events";

export interface OutboxEvent {
  name: string;
  data?: unknown;
  id?: string;
  ts?: number;
}

/**
 * Writes events to the outbox. Given a transaction, they commit with the caller's change
 * or not at all; nothing is executed here. Returns the outbox ids (`evt_…`); an event whose
 * `id` (idempotency key) was already enqueued is dropped and returns the earlier id.
 */
export async function enqueueEvent(db: DbOrTx, event: AppEvent | AppEvent[]): Promise<string[]> {
  return enqueueEvents(db, Array.isArray(event) ? event : [event]);
}

/** The outbox row for an event (also for statements that write one as part of a larger write). */
export function outboxRow(e: OutboxEvent) {
  return { id: newId("evt"), name: e.name, data: (e.data ?? {}) as Record<string, unknown>, key: e.id ?? null, ts: e.ts ?? Date.now() };
}

/** Untyped form of `enqueueEvent`, for the SDK's sends and the executor's internal events. */
export async function enqueueEvents(db: DbOrTx, events: OutboxEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map(outboxRow);
  const inserted = await db
    .insert(jobEvents)
    .values(rows)
    .onConflictDoNothing({ target: jobEvents.key })
    .returning({ id: jobEvents.id, key: jobEvents.key });
  if (inserted.length === rows.length) return rows.map((r) => r.id);
  const keys = rows.map((r) => r.key).filter((k): k is string => k !== null);
  const existing = keys.length
    ? await db.select({ id: jobEvents.id, key: jobEvents.key }).from(jobEvents).where(inArray(jobEvents.key, keys))
    : [];
  const byKey = new Map(existing.map((r) => [r.key, r.id]));
  const insertedIds = new Set(inserted.map((r) => r.id));
  return rows.map((r) => (insertedIds.has(r.id) ? r.id : (byKey.get(r.key) ?? r.id)));
}

/** The SDK's sends in embedded mode when no worker set a database: the process-wide pool. */
export const processOutboxSink = (events: OutboxEvent[]) => enqueueEvents(getDb(), events);

export interface OutboxRelay {
  stop(): Promise<void>;
}

/**
 * Server mode: forwards pending outbox rows to the Inngest server and marks them sent,
 * in order, in batches. A row is marked only after the server accepted it; the outbox id
 * is sent as the event id so a resend after a crash is deduplicated by Inngest.
 */
export function startOutboxRelay(opts: {
  db: import("@/server/db/client").Db;
  send: (events: { id: string; name: string; data: Record<string, unknown>; ts: number }[]) => Promise<unknown>;
  pollMs?: number;
  batchSize?: number;
  onError?: (error: unknown) => void;
}): OutboxRelay {
  let stopped = false;
  const pollMs = opts.pollMs ?? 250;
  const loop = (async () => {
    while (!stopped) {
      let moved = 0;
      try {
        moved = await relayOnce(opts.db, opts.send, opts.batchSize ?? 100);
      } catch (error) {
        opts.onError?.(error);
      }
      if (moved === 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** One relay pass; returns how many events were sent. */
export async function relayOnce(
  db: import("@/server/db/client").Db,
  send: (events: { id: string; name: string; data: Record<string, unknown>; ts: number }[]) => Promise<unknown>,
  batchSize = 100,
): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(jobEvents)
      .where(eq(jobEvents.status, "pending"))
      .orderBy(asc(jobEvents.seq))
      .limit(batchSize)
      .for("update", { skipLocked: true });
    if (rows.length === 0) return 0;
    await send(rows.map((r) => ({ id: r.key ?? r.id, name: r.name, data: r.data, ts: r.ts })));
    await tx
      .update(jobEvents)
      .set({ status: "dispatched", dispatchedAt: sql`now()` })
      .where(and(inArray(jobEvents.id, rows.map((r) => r.id)), eq(jobEvents.status, "pending")));
    return rows.length;
  });
}
