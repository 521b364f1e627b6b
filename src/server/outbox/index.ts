import { inArray, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { jobEvents, jobRuns } from "@/server/db/schema";
import type { AppEvent } from "./events";

export * from "./events";

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

/**
 * Enqueues `event` as one part of a caller's single statement: the body of a common table
 * expression (`with …, e as (${enqueueWithin(event, when)}) …`) that writes the event only when
 * `when` holds, so it commits with the caller's change or not at all, in the same round trip.
 * An event whose id was already enqueued is dropped.
 */
export function enqueueWithin(event: AppEvent, when: SQL): SQL {
  const row = outboxRow(event);
  return sql`insert into ${jobEvents} (id, name, data, key, ts)
    select ${row.id}, ${row.name}, ${JSON.stringify(row.data)}::jsonb, ${row.key}, ${row.ts}
    where ${when}
    on conflict (key) do nothing`;
}

/** Untyped form of `enqueueEvent`, for the SDK's sends and the executor's internal events. */
export async function enqueueEvents(db: DbOrTx, events: OutboxEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map(outboxRow);
  const inserted = await db.insert(jobEvents).values(rows).onConflictDoNothing({ target: jobEvents.key }).returning({ id: jobEvents.id, key: jobEvents.key });
  if (inserted.length === rows.length) return rows.map((r) => r.id);
  const keys = rows.map((r) => r.key).filter((k): k is string => k !== null);
  const existing = keys.length ? await db.select({ id: jobEvents.id, key: jobEvents.key }).from(jobEvents).where(inArray(jobEvents.key, keys)) : [];
  const byKey = new Map(existing.map((r) => [r.key, r.id]));
  const insertedIds = new Set(inserted.map((r) => r.id));
  return rows.map((r) => (insertedIds.has(r.id) ? r.id : (byKey.get(r.key) ?? r.id)));
}

/**
 * `exists (…)` for work still to do for `key`: a pending outbox event that will start a run
 * (`eventName` with `data.<dataField>` = key), or an open run (queued, running or sleeping) of
 * `functionId` whose concurrency key is `key`. Offered here, at the bottom of the house, so that
 * domain code can ask it without importing the job engine (`jobs/` depends on the domain, never
 * the reverse); the backfill uses it to leave alone an order whose fulfil run is still going.
 */
export function openRunExists(functionId: string, key: SQLWrapper, pending: { eventName: string; dataField: string }): SQL {
  return sql`(exists (
    select 1 from ${jobRuns} where ${jobRuns.functionId} = ${functionId} and ${jobRuns.concurrencyKey} = ${key}
      and ${jobRuns.status} in ('queued', 'running', 'sleeping'))
    or exists (
    select 1 from ${jobEvents} where ${jobEvents.status} = 'pending' and ${jobEvents.name} = ${pending.eventName}
      and ${jobEvents.data} ->> ${pending.dataField} = ${key}))`;
}
