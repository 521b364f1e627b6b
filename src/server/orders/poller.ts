import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Environment } from "@/server/catalog/visibility";
import type { DbOrTx } from "@/server/db/client";
import { supplierNotifications, vendorBatches } from "@/server/db/schema";
import { VendorError } from "@/server/supplier/bamboo";
import { askBatch, type BatchAnswer, type BatchResult } from "./batch";
import type { OrderRuntime } from "./runtime";

/**
 * The shared poller: get-order calls of one vendor account are spent on the batches that need them
 * most, by one poller per lane (environment and vendor account) at a time, across every process.
 *
 * - Which batches: placed (or placing with a poll planned) whose `next_poll_at` has come, or with a
 *   verified vendor notification not yet acted upon. Notified first, then the oldest placed first.
 * - How often: each poll pushes the batch's `next_poll_at` back on the runtime's schedule
 *   (`pollBatch`: 1 s, 2 s, 3 s, 5 s, … per batch), so a batch that stays pending costs less and
 *   less, and one get-order serves every member of the batch.
 * - The budget: every get-order goes through the client's shared limiter (Bamboo: 120 a minute per
 *   account, every instance together); the lane asks one batch at a time, so it never queues more
 *   than one call on the limiter and a batch notified meanwhile is the very next one asked.
 * - Settling beside asking: the settlement an answer calls for (up to 500 orders: cards, refunds,
 *   margins) runs while the lane asks about the next batches, up to `settleConcurrency` at once, so
 *   a small batch's delivery does not wait behind a large one's settlement.
 * - No in-memory timer is the source of truth: the database says what is due (`next_poll_at`),
 *   who polls (a lease in `supplier_pollers`), and when the lane wakes next (`wake_at`). The job
 *   engine (embedded or an Inngest server) runs the rounds and sleeps between them.
 */

export interface PollLaneOptions {
  /** How long one round may keep polling before it hands back to the job engine (ms). */
  roundMs?: number;
  /** A batch due within this is waited for in the round instead of ending it (ms). */
  nearMs?: number;
  /** How long a lease lasts without being renewed: a crashed holder's lane is free after it (ms). */
  leaseMs?: number;
  /** How one batch is polled, settlement included, before the next is asked (default: `askBatch`, its settlement beside the next asks). */
  poll?: (rt: OrderRuntime, batchId: string) => Promise<BatchResult>;
  /** How one batch is asked about (default: `askBatch`); a settlement it returns runs beside the next asks. */
  ask?: (rt: OrderRuntime, batchId: string) => Promise<BatchAnswer>;
  /** Settlements running beside the asks at most (default 4). */
  settleConcurrency?: number;
}

export interface LaneRound {
  lane: string;
  polled: number;
  /**
   * busy: another run holds the lane (it was told there is work); idle: nothing at the vendor;
   * waiting: this run wakes the lane in `nextMs`; covered: another run already wakes it sooner;
   * more: the round's time ran out with work due (go on at once); deferred: the limiter's next
   * get-order slot is far (wait `nextMs`).
   */
  state: "busy" | "idle" | "waiting" | "covered" | "more" | "deferred";
  /** When the caller should run the next round (ms from now); null: end the run. */
  nextMs: number | null;
}

const DEFAULTS = { roundMs: 20_000, nearMs: 1_000, leaseMs: 120_000, settleConcurrency: 4 };
/** A batch whose poll failed on our side (not the vendor's answer) is due again after this. */
const RETRY_AFTER_OUR_ERROR_MS = 2_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function laneKey(environment: Environment, account: string): string {
  return `${environment}:${account}`;
}

async function takeLease(db: DbOrTx, key: string, holder: string, leaseMs: number): Promise<boolean> {
  const rows = await db.execute(sql`
    insert into supplier_pollers as p (key, holder, lease_until, poked, updated_at)
    values (${key}, ${holder}, now() + make_interval(secs => ${leaseMs / 1000}::float8), false, now())
    on conflict (key) do update set holder = excluded.holder, lease_until = excluded.lease_until, poked = false, updated_at = now()
    where p.holder is null or p.holder = excluded.holder or p.lease_until < now()
    returning 1`);
  return rows.length > 0;
}

/** Tells the holder that work arrived: it looks again before letting go. */
async function poke(db: DbOrTx, key: string): Promise<void> {
  await db.execute(sql`update supplier_pollers set poked = true, updated_at = now() where key = ${key}`);
}

/** Lets go of the lane unless poked meanwhile (then the poke is cleared and false returned: look again). */
async function releaseLease(db: DbOrTx, key: string, holder: string, force = false): Promise<boolean> {
  const released = await db.execute(sql`
    update supplier_pollers set holder = null, lease_until = null, updated_at = now()
    where key = ${key} and holder = ${holder} and (${force} or not poked)
    returning 1`);
  if (released.length > 0) return true;
  await db.execute(sql`update supplier_pollers set poked = false, updated_at = now() where key = ${key} and holder = ${holder}`);
  return false;
}

/** Plans the lane's next wake-up for this run, unless another run already wakes it sooner. */
async function claimWake(db: DbOrTx, key: string, inMs: number): Promise<boolean> {
  const rows = await db.execute(sql`
    update supplier_pollers set wake_at = now() + make_interval(secs => ${inMs / 1000}::float8), updated_at = now()
    where key = ${key} and (wake_at is null or wake_at <= now() or wake_at > now() + make_interval(secs => ${inMs / 1000}::float8))
    returning 1`);
  return rows.length > 0;
}

/** Batches of the lane to ask now, in order: notified first, then the oldest placed. */
async function dueBatches(db: DbOrTx, environment: Environment, account: string, limit: number, notifiedOnly: boolean) {
  return db.execute<{ id: string; vendor_request_id: string; notified: boolean }>(sql`
    select b.id, b.vendor_request_id, n.notified
    from vendor_batches b
    cross join lateral (
      select exists (select 1 from supplier_notifications s where s.request_id = b.vendor_request_id and s.handled_at is null) as notified) n
    where b.environment = ${environment} and b.account = ${account}
      and b.status in ('placing', 'placed') and b.next_poll_at is not null
      and ((b.next_poll_at <= now() and not ${notifiedOnly}) or n.notified)
    order by n.notified desc, b.placed_at asc nulls last, b.created_at, b.id
    limit ${limit}`);
}

/** Ms until the lane's next batch is due; null when nothing of the lane is at the vendor. */
async function nextDueMs(db: DbOrTx, environment: Environment, account: string): Promise<number | null> {
  const [row] = await db.execute<{ ms: number | null }>(sql`
    select case when min(next_poll_at) is null then null
                else greatest(0, extract(epoch from (min(next_poll_at) - now())) * 1000)::float8 end as ms
    from vendor_batches
    where environment = ${environment} and account = ${account} and status in ('placing', 'placed') and next_poll_at is not null`);
  return row?.ms ?? null;
}

/**
 * One round of a lane's poller, run by `holder` (the job run): takes the lane's lease (or tells
 * its holder there is work and ends), then asks the vendor about due batches one at a time in
 * priority order until none is due, waiting in the round for one due within `nearMs`. Each batch
 * is claimed before its call (`next_poll_at` moved on, its notifications marked handled), so a
 * crash never makes it be asked twice at once, and a notification arriving during the call counts.
 */
export async function pollLane(rt: OrderRuntime, environment: Environment, holder: string, opts: PollLaneOptions = {}): Promise<LaneRound> {
  const o = { ...DEFAULTS, ...opts };
  const { poll } = opts;
  const ask = poll ? async (r: OrderRuntime, id: string): Promise<BatchAnswer> => ({ result: await poll(r, id) }) : (opts.ask ?? askBatch);
  const { db } = rt;
  const account = rt.vendorFor(environment).account;
  const lane = laneKey(environment, account);
  /** The claim parked the batch for the whole lease (2 min): due again soon, after our side failed on it (e.g. a deadlock while settling rolled back). */
  const dueSoon = (batchId: string) =>
    db
      .update(vendorBatches)
      .set({ nextPollAt: sql`now() + make_interval(secs => ${RETRY_AFTER_OUR_ERROR_MS / 1000}::float8)` })
      .where(and(eq(vendorBatches.id, batchId), inArray(vendorBatches.status, ["placing", "placed"])))
      .catch(() => {});
  // Settlements running beside the asks; the first that failed on our side ends the round with its error.
  const settling = new Set<Promise<void>>();
  let settleError: { error: unknown } | null = null;
  const settleBeside = (batchId: string, settle: () => Promise<BatchResult>) => {
    const running: Promise<void> = settle()
      .then(
        () => {},
        async (error: unknown) => {
          await dueSoon(batchId);
          settleError ??= { error };
        },
      )
      .finally(() => settling.delete(running));
    settling.add(running);
  };
  /** Waits for every settlement in flight; rethrows the first failure. */
  const settled = async () => {
    await Promise.all(settling);
    if (settleError) throw settleError.error;
  };
  // A wake-up that has come is used up (by this run or any other).
  await db.execute(sql`update supplier_pollers set wake_at = null where key = ${lane} and wake_at <= now() + interval '50 milliseconds'`);
  if (!(await takeLease(db, lane, holder, o.leaseMs))) {
    await poke(db, lane);
    // The holder may have let go between the two statements: try once more.
    if (!(await takeLease(db, lane, holder, o.leaseMs))) return { lane, polled: 0, state: "busy", nextMs: null };
  }
  const started = performance.now();
  let polled = 0;
  try {
    for (;;) {
      if (settling.size >= o.settleConcurrency) await Promise.race(settling);
      if (settleError) await settled();
      const [next] = await dueBatches(db, environment, account, 1, !rt.sharedBatchPoller);
      if (next) {
        await db
          .update(vendorBatches)
          .set({ nextPollAt: sql`now() + make_interval(secs => ${o.leaseMs / 1000}::float8)` })
          .where(and(eq(vendorBatches.id, next.id), inArray(vendorBatches.status, ["placing", "placed"])));
        await db
          .update(supplierNotifications)
          .set({ handledAt: new Date() })
          .where(and(eq(supplierNotifications.requestId, next.vendor_request_id), isNull(supplierNotifications.handledAt)));
        try {
          const asked = await ask(rt, next.id);
          if ("settle" in asked) settleBeside(next.id, asked.settle);
        } catch (e) {
          if (!(e instanceof VendorError)) {
            await dueSoon(next.id);
            throw e;
          }
          // No answer: the ask has planned the batch's next poll. The account's get-order slot is far (or the
          // vendor asked us to wait): end the round and come back then, first in line again.
          if (e.retryAfterMs !== null) {
            await db
              .update(vendorBatches)
              .set({ nextPollAt: sql`now()` })
              .where(and(eq(vendorBatches.id, next.id), inArray(vendorBatches.status, ["placing", "placed"])));
            await settled();
            await releaseLease(db, lane, holder, true);
            return { lane, polled, state: "deferred", nextMs: Math.max(250, e.retryAfterMs) };
          }
        }
        polled++;
        if (performance.now() - started > o.roundMs) {
          await settled();
          await releaseLease(db, lane, holder, true);
          return { lane, polled, state: "more", nextMs: 0 };
        }
        continue;
      }
      // Nothing due: the batches being settled may come due again (still pending at the vendor), so wait for them first.
      if (settling.size > 0) {
        await settled();
        continue;
      }
      // Without the shared poller each batch's own run polls it on its schedule: only notified batches are asked here.
      const dueIn = rt.sharedBatchPoller ? await nextDueMs(db, environment, account) : null;
      if (dueIn !== null && dueIn <= o.nearMs && performance.now() - started + dueIn < o.roundMs) {
        await sleep(dueIn);
        continue;
      }
      if (!(await releaseLease(db, lane, holder))) continue; // work arrived meanwhile: look again
      if (dueIn === null) return { lane, polled, state: "idle", nextMs: null };
      return (await claimWake(db, lane, dueIn)) ? { lane, polled, state: "waiting", nextMs: dueIn } : { lane, polled, state: "covered", nextMs: null };
    }
  } catch (e) {
    await Promise.allSettled(settling);
    await releaseLease(db, lane, holder, true).catch(() => {});
    throw e;
  }
}

/** The lanes with batches at the vendor (the minute's safety net wakes each: a lost wake-up costs at most a minute). */
export async function lanesInFlight(db: DbOrTx): Promise<Environment[]> {
  const rows = await db.execute<{ environment: Environment }>(sql`
    select distinct environment from vendor_batches where status in ('placing', 'placed') and next_poll_at is not null`);
  return rows.map((r) => r.environment);
}
