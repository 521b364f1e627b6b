import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";

/**
 * Reserves the next call slot for `key`, shared by every app instance through Postgres: one
 * atomic statement moves `next_at` to `max(next_at, now) + spacing` and hands this caller the
 * slot before it. Returns how long to wait until that slot, measured on the database clock
 * (so app clocks never need to agree). Run it outside a transaction so the slot is visible at once.
 */
export async function reserveSlot(db: DbOrTx, key: string, spacingMs: number): Promise<number> {
  const spacing = sql`make_interval(secs => ${spacingMs / 1000}::float8)`;
  const [row] = await db.execute<{ wait_ms: number }>(sql`
    insert into vendor_rate_limits as l (key, next_at) values (${key}, clock_timestamp() + ${spacing})
    on conflict (key) do update set next_at = greatest(l.next_at, clock_timestamp()) + ${spacing}
    returning greatest(0, extract(epoch from (l.next_at - ${spacing} - clock_timestamp())) * 1000)::float8 as wait_ms`);
  return row!.wait_ms;
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

/** Reserves a slot for `key` and sleeps until it. */
export async function waitForSlot(db: DbOrTx, key: string, spacingMs: number): Promise<void> {
  if (spacingMs <= 0) return;
  await sleep(await reserveSlot(db, key, spacingMs));
}
