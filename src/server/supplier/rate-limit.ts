import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";

/** One limiter key and the spacing its calls keep on the wire. */
export interface SlotKey {
  key: string;
  spacingMs: number;
}

/**
 * The next slot is further away than the caller may wait in process. Nothing was sent. A caller
 * that gave a `holder` keeps its reservation and finds it again when it comes back; it should come
 * back after `retryAfterMs` (a little before its slot, so it arrives in time).
 */
export class SlotWaitTooLong extends Error {
  constructor(
    readonly key: string,
    /** How long until the slot (or, without a reservation, the next free one). */
    readonly waitMs: number,
    /** When to come back: `waitMs` less half the in-process budget, at least a second. */
    readonly retryAfterMs: number,
  ) {
    super(`vendor rate limit: the next slot of ${key} is ${Math.round(waitMs)} ms away, longer than this caller may wait`);
    this.name = "SlotWaitTooLong";
  }
}

const interval = (ms: number) => sql`make_interval(secs => ${ms / 1000}::float8)`;

/**
 * Reserves the next call slot for `key`, shared by every app instance through Postgres: one
 * atomic statement moves `next_at` to `max(next_at, now) + spacing` and hands this caller the
 * slot before it. `waitMs` is how long until that slot, measured on the database clock (so app
 * clocks never need to agree); `slotMs` is the slot itself (epoch ms, database clock).
 *
 * With a `holder` (e.g. an order's request id) the slot is kept for that holder until it is used
 * (`claimSend`): asking again returns the same slot, however late, so a caller that gives up
 * waiting and comes back never goes to the back of the queue. Without one and with `maxWaitMs`,
 * nothing is reserved when the slot would be further away than that (`reserved: false`, and
 * `waitMs` says how far the next free slot is), so a caller that will not wait wastes no slot.
 * Run it outside a transaction so the slot is visible at once.
 */
export async function reserveSlot(
  db: DbOrTx,
  key: string,
  spacingMs: number,
  opts: { holder?: string; maxWaitMs?: number } = {},
): Promise<{ waitMs: number; slotMs: number; reserved: boolean }> {
  const spacing = interval(spacingMs);
  if (opts.holder !== undefined) {
    const [row] = await db.execute<{ wait_ms: number; slot_ms: number }>(sql`
      with kept as (
        select slot_at from vendor_rate_reservations where key = ${key} and holder = ${opts.holder}),
      bumped as (
        insert into vendor_rate_limits as l (key, next_at)
        select ${key}, clock_timestamp() + ${spacing} where not exists (select 1 from kept)
        on conflict (key) do update set next_at = greatest(l.next_at, clock_timestamp()) + ${spacing}
        returning l.next_at - ${spacing} as slot_at),
      held as (
        insert into vendor_rate_reservations (key, holder, slot_at)
        select ${key}, ${opts.holder}, slot_at from bumped
        on conflict (key, holder) do update set slot_at = least(vendor_rate_reservations.slot_at, excluded.slot_at)
        returning slot_at),
      slot as (select coalesce((select slot_at from kept), (select slot_at from held)) as slot_at)
      select greatest(0, extract(epoch from (slot_at - clock_timestamp())) * 1000)::float8 as wait_ms,
             (extract(epoch from slot_at) * 1000)::float8 as slot_ms
      from slot`);
    // Reservations of holders that never came back (an order cancelled meanwhile): cleared now and then.
    if (Math.random() < 0.01) await db.execute(sql`delete from vendor_rate_reservations where slot_at < now() - interval '1 day'`);
    return { waitMs: row!.wait_ms, slotMs: row!.slot_ms, reserved: true };
  }
  const within = opts.maxWaitMs === undefined ? sql`true` : sql`greatest(l.next_at, clock_timestamp()) <= clock_timestamp() + ${interval(opts.maxWaitMs)}`;
  const [row] = await db.execute<{ wait_ms: number; slot_ms: number }>(sql`
    insert into vendor_rate_limits as l (key, next_at) values (${key}, clock_timestamp() + ${spacing})
    on conflict (key) do update set next_at = greatest(l.next_at, clock_timestamp()) + ${spacing}
    where ${within}
    returning greatest(0, extract(epoch from (l.next_at - ${spacing} - clock_timestamp())) * 1000)::float8 as wait_ms,
              (extract(epoch from (l.next_at - ${spacing})) * 1000)::float8 as slot_ms`);
  if (row) return { waitMs: row.wait_ms, slotMs: row.slot_ms, reserved: true };
  const [free] = await db.execute<{ wait_ms: number; slot_ms: number }>(sql`
    select greatest(0, extract(epoch from (next_at - clock_timestamp())) * 1000)::float8 as wait_ms,
           (extract(epoch from next_at) * 1000)::float8 as slot_ms
    from vendor_rate_limits where key = ${key}`);
  return { waitMs: free?.wait_ms ?? 0, slotMs: free?.slot_ms ?? Date.now(), reserved: false };
}

/** After the vendor said "wait": no caller of `key` goes before `waitMs` from now. */
export async function pushBackSlots(db: DbOrTx, key: string, waitMs: number): Promise<void> {
  const wait = interval(waitMs);
  await db.execute(sql`
    insert into vendor_rate_limits as l (key, next_at) values (${key}, clock_timestamp() + ${wait})
    on conflict (key) do update set next_at = greatest(l.next_at, clock_timestamp() + ${wait})`);
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Slots are reserved this much further apart than the spacing, so a slightly late caller crowds nobody. */
function marginFor(spacingMs: number): number {
  return Math.max(5, Math.min(50, spacingMs / 10));
}

function tooLong(key: string, waitMs: number, budgetMs: number): SlotWaitTooLong {
  return new SlotWaitTooLong(key, waitMs, Math.max(1_000, waitMs - budgetMs / 2));
}

/**
 * Reserves `holder`'s slot of `key` ahead of its call, with the same spacing `acquireSlots` uses, so
 * the call finds it kept (e.g. a vendor batch learns when its product's next placement may go and
 * gathers orders until then). Returns how far the slot is (database clock).
 */
export async function reserveHeldSlot(db: DbOrTx, key: string, spacingMs: number, holder: string): Promise<{ waitMs: number; slotMs: number }> {
  if (spacingMs <= 0) return { waitMs: 0, slotMs: Date.now() };
  const r = await reserveSlot(db, key, spacingMs + marginFor(spacingMs), { holder });
  return { waitMs: r.waitMs, slotMs: r.slotMs };
}

/**
 * Waits for a slot of every key (in order), then claims them together and returns the send time
 * (database clock). Calls of each key leave at least its spacing apart, whichever instance sends.
 *
 * Bounded: the whole wait ends by `deadline` (a `performance.now()` instant); a slot further away
 * throws `SlotWaitTooLong` without sending, for the caller to come back later (the job engine's
 * retry). A caller that wakes late (its reservation answered slowly, the event loop was busy, it
 * came back after giving up) keeps its slot and goes at once, subject only to the final spacing
 * check: it never re-queues at the back, where every late wake would push everyone behind it
 * back by a spacing and leave the slot it had unused.
 */
export async function acquireSlots(db: DbOrTx, keys: SlotKey[], opts: { holder?: string; deadline: number; budgetMs: number }): Promise<Date> {
  const live = keys.filter((k) => k.spacingMs > 0);
  if (live.length === 0) return new Date();
  for (const k of live) {
    const remaining = Math.max(0, opts.deadline - performance.now());
    const r = await reserveSlot(db, k.key, k.spacingMs + marginFor(k.spacingMs), { holder: opts.holder, maxWaitMs: remaining });
    if (!r.reserved || r.waitMs > Math.max(0, opts.deadline - performance.now())) throw tooLong(k.key, r.waitMs, opts.budgetMs);
    await sleep(r.waitMs);
  }
  return claimSend(db, live, opts);
}

/**
 * The last guard: records this call as sent on every key, on the database clock and in one
 * statement, only if each key's previous call left at least its spacing ago (the rows are locked,
 * so two instances cannot both pass); otherwise waits out the difference and tries again. Slots
 * keep callers from crowding in; this makes the spacing exact even when a caller's process
 * stalled between its slot and its send, and claims all keys at the same instant, so none is
 * marked sent while the call still waits for another. The holder's reservations are used up.
 */
async function claimSend(db: DbOrTx, keys: SlotKey[], opts: { holder?: string; deadline: number; budgetMs: number }): Promise<Date> {
  const want = JSON.stringify(keys.map((k) => ({ key: k.key, spacing_ms: k.spacingMs })));
  for (let tries = 0; tries < 50; tries++) {
    const [row] = await db.execute<{ sent_ms: number | null; wait_ms: number }>(sql`
      with want as (
        select w.key, w.spacing_ms from jsonb_to_recordset(${want}::jsonb) as w(key text, spacing_ms float8)),
      locked as (
        select l.key, l.last_sent_at, w.spacing_ms from vendor_rate_limits l join want w on w.key = l.key
        order by l.key for update of l),
      verdict as (
        select coalesce(bool_and(last_sent_at is null or last_sent_at <= clock_timestamp() - make_interval(secs => spacing_ms / 1000)), true) as ok,
               coalesce(max(greatest(0, extract(epoch from (last_sent_at + make_interval(secs => spacing_ms / 1000) - clock_timestamp())) * 1000)), 0)::float8 as wait_ms
        from locked),
      claimed as (
        update vendor_rate_limits l set last_sent_at = clock_timestamp()
        from locked where l.key = locked.key and (select ok from verdict)
        returning l.last_sent_at),
      used as (
        delete from vendor_rate_reservations r
        where ${opts.holder ?? null}::text is not null and r.holder = ${opts.holder ?? null}::text and r.key in (select key from want)
          and (select ok from verdict))
      select (select (extract(epoch from max(last_sent_at)) * 1000)::float8 from claimed) as sent_ms,
             (select wait_ms from verdict) as wait_ms`);
    if (row?.sent_ms != null) return new Date(row.sent_ms);
    const waitMs = Math.max(1, row?.wait_ms ?? 1);
    const key = keys[0]!.key;
    if (performance.now() + waitMs > opts.deadline) throw tooLong(key, waitMs, opts.budgetMs);
    await sleep(waitMs);
  }
  throw new Error(`vendor rate limit: no send slot for ${keys.map((k) => k.key).join(", ")}`);
}

/**
 * Reserves a slot for `key` and sleeps until it, so that calls leave at least `spacingMs` apart
 * (one key, no holder; see `acquireSlots`). Returns the send time (database clock).
 */
export async function waitForSlot(db: DbOrTx, key: string, spacingMs: number, maxWaitMs = 30_000): Promise<Date> {
  return acquireSlots(db, [{ key, spacingMs }], { deadline: performance.now() + maxWaitMs, budgetMs: maxWaitMs });
}
