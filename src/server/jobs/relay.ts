import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { jobEvents } from "@/server/db/schema";

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
      .where(
        and(
          inArray(
            jobEvents.id,
            rows.map((r) => r.id),
          ),
          eq(jobEvents.status, "pending"),
        ),
      );
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
