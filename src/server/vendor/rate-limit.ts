import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";

/**
 * Reserves the next call slot for `key`, shared by every app instance through Postgres: one
 * atomic statement moves `next_at` to `max(next_at, now) + spacing` and hands this caller the
 * slot before it. `waitMs` is how long until that slot, measured on the database clock (so app
 * clocks never need to agree); `slotMs` is the slot itself (epoch ms, database clock).
 * Run it outside a transaction so the slot is visible at once.
 */
export async function reserveSlot(db: DbOrTx, key: string, spacingMs: number): Promise<{ waitMs: number; slotMs: number }> {
  const spacing = sql`make_interval(secs => ${spacingMs / 1000}::float8)`;
  const [row] = await db.execute<{ wait_ms: number; slot_ms: number }>(sql`
    insert into vendor_rate_limits as l (key, next_at) values (${key}, clock_timestamp() + ${spacing})
    on conflict (key) do update set next_at = greatest(l.next_at, clock_timestamp()) + ${spacing}
    returning greatest(0, extract(epoch from (l.next_at - ${spacing} - clock_timestamp())) * 1000)::float8 as wait_ms,
              (extract(epoch from (l.next_at - ${spacing})) * 1000)::float8 as slot_ms`);
  return { waitMs: row!.wait_ms, slotMs: row!.slot_ms };
}

/** After the vendor said "wait": no caller of `key` goes before `waitMs` from now. */
export async function pushBackSlots(db: DbOrTx, key: string, waitMs: number): Promise<void> {
  const wait = sql`make_interval(secs => ${waitMs / 1000}::float8)`;
  await db.execute(sql`
    insert into vendor_rate_limits as l (key, next_at) values (${key}, clock_timestamp() + ${wait})
    on conflict (key) do update set next_at = greatest(l.next_at, clock_timestamp() + ${wait})`);
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * Reserves a slot for `key` and sleeps until it, so that calls leave at least `spacingMs` apart.
 * A caller can leave late (the reservation's answer took time to arrive, the event loop was
 * busy) and so crowd the next slot's holder; two guards keep the wire spacing anyway: slots are
 * reserved with a small margin over `spacingMs`, and a caller that finds itself later than the
 * margin gives its slot up and takes a new one (a wasted slot costs throughput; a crowded one
 * breaks the vendor's limit).
 */
export async function waitForSlot(db: DbOrTx, key: string, spacingMs: number): Promise<Date> {
  if (spacingMs <= 0) return new Date();
  const marginMs = Math.max(5, Math.min(50, spacingMs / 10));
  for (let tries = 0; tries < 5; tries++) {
    const asked = performance.now();
    const { waitMs } = await reserveSlot(db, key, spacingMs + marginMs);
    // Sleeping waitMs from the answer never goes early; lateness is measured from asked + waitMs,
    // the earliest the slot can be, so it counts the round trip too.
    await sleep(waitMs);
    if (performance.now() - (asked + waitMs) <= marginMs) break;
  }
  return claimSend(db, key, spacingMs);
}

/**
 * The last guard: records this call as sent, on the database clock, only if the previous call of
 * `key` left at least `spacingMs` ago; otherwise waits out the difference and tries again. Slots
 * keep callers from crowding in; this makes the spacing exact even when a caller's process
 * stalled between its slot and its send. Returns the send time (database clock).
 */
async function claimSend(db: DbOrTx, key: string, spacingMs: number): Promise<Date> {
  const spacing = sql`make_interval(secs => ${spacingMs / 1000}::float8)`;
  for (let tries = 0; tries < 50; tries++) {
    const [row] = await db.execute<{ sent_ms: number | null; wait_ms: number }>(sql`
      with claimed as (
        update vendor_rate_limits set last_sent_at = clock_timestamp()
        where key = ${key} and (last_sent_at is null or last_sent_at <= clock_timestamp() - ${spacing})
        returning last_sent_at
      )
      select (select (extract(epoch from last_sent_at) * 1000)::float8 from claimed) as sent_ms,
             coalesce((select greatest(0, extract(epoch from (last_sent_at + ${spacing} - clock_timestamp())) * 1000)::float8
                       from vendor_rate_limits where key = ${key}), 0) as wait_ms`);
    if (row?.sent_ms != null) return new Date(row.sent_ms);
    await sleep(Math.max(1, row?.wait_ms ?? 1));
  }
  throw new Error(`vendor rate limit: no send slot for ${key}`);
}
