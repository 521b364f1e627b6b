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
  /** How long one send may take before it counts as failed (rows stay pending; default 15 s). */
  sendTimeoutMs?: number;
  onError?: (error: unknown) => void;
}): OutboxRelay {
  let stopped = false;
  const pollMs = opts.pollMs ?? 250;
  const loop = (async () => {
    while (!stopped) {
      let moved = 0;
      try {
        moved = await relayOnce(opts.db, opts.send, opts.batchSize ?? 100, opts.sendTimeoutMs);
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

/**
 * How long one relay send may take. The SDK retries a failed send itself (5 attempts, 0.1–1.6 s
 * apart) but sets no timeout: an event API that accepts the connection and never answers would
 * hold the relay (and its transaction) until the HTTP client gives up (minutes). Well below
 * DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS (60 s by default).
 */
export const RELAY_SEND_TIMEOUT_MS = 15_000;

/**
 * One relay pass; returns how many events were sent. A send that fails or takes longer than
 * `sendTimeoutMs` throws and leaves the rows pending for the next pass; if the server did take
 * them, the resend carries the same event ids and the server drops the copies.
 */
export async function relayOnce(
  db: import("@/server/db/client").Db,
  send: (events: { id: string; name: string; data: Record<string, unknown>; ts: number }[]) => Promise<unknown>,
  batchSize = 100,
  sendTimeoutMs = RELAY_SEND_TIMEOUT_MS,
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
    // The event id is the row's idempotency key when it has one (unique in the outbox, and the
    // `event.id` the embedded executor gives functions), otherwise the outbox id.
    await withTimeout(
      send(rows.map((r) => ({ id: r.key ?? r.id, name: r.name, data: r.data, ts: r.ts }))),
      sendTimeoutMs,
      () => new Error(`outbox relay: the event API did not answer within ${sendTimeoutMs} ms; ${rows.length} event(s) stay pending`),
    );
    await tx
      .update(jobEvents)
      .set({ status: "dispatched", dispatchedAt: sql`now()` })
      .where(and(inArray(jobEvents.id, rows.map((r) => r.id)), eq(jobEvents.status, "pending")));
    return rows.length;
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
