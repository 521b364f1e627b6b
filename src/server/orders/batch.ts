import DecimalBase from "decimal.js";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { encryptSecret } from "@/lib/crypto";
import type { Currency } from "@/lib/money";
import { newId } from "@/lib/ids";
import type { Db, DbOrTx, Tx } from "@/server/db/client";
import { pgArray } from "@/server/db/rows";
import { catalogProducts, orderCards, orders, reconciliationIssues, vendorBatches } from "@/server/db/schema";
import { ensureRevenueShards, lockOrderAccounts, type OrderRevenueInput, recognizeOrderRevenue, refundOrder } from "@/server/ledger";
import { enqueueEvent } from "@/server/outbox";
import { VendorError, type VendorFailureCode, type VendorOrder } from "@/server/supplier/bamboo";
import { type BatchKey, newOpenBatch, openBatchOf } from "./batch-open";
import { deliveredCost } from "./cost";
import { deliveryMismatches, failOpenOrder, ODD_ANSWERS } from "./fulfil";
import type { OrderRuntime } from "./runtime";

const Decimal = DecimalBase.clone({ precision: 40 });

/**
 * Vendor batches: the pending orders of one (environment, vendor account, product, face value,
 * currency) are placed as one vendor order of up to 500 cards.
 *
 * - An order waits in the pool (pending, `batch_id` null) and makes sure an open batch exists for
 *   its key: in the statement that creates it (`createOrder` with the runtime, batch-open.ts), else
 *   in its own run (`queueOrder`); the batch's request id is stored when the batch is created.
 * - The batch gathers for `batchWindowMs` and until the product's next placement slot (reserved for
 *   the batch's request id, so the slot is kept however late the batch comes), then closes
 *   (`closeBatch`): its members are chosen from the pool fairly and fixed in the same transaction
 *   that moves it open → placing, before any vendor call. What did not fit opens the next batch.
 * - `placeBatch` sends the stored request id with the fixed quantity; a retry, a crash or a second
 *   worker re-sends the same id (`OrderAlreadyExists` = placed).
 * - `pollBatch` asks once for all members; `settleBatch` assigns the cards oldest member first.
 *
 * Orders made before batching existed (`batched` false) keep the per-order path in fulfil.ts.
 */

export const BATCH_MAX_CARDS = 500;

export type Batch = typeof vendorBatches.$inferSelect;
export type BatchStatus = Batch["status"];

export interface BatchResult {
  batchId: string;
  status: BatchStatus;
  /** Nothing left for the batch's own function to do (terminal, or left for an admin). */
  done: boolean;
  members?: number;
  quantity?: number;
  /** The batch stays open for an admin: what the vendor delivered does not match it. */
  attention?: string;
  /** Other batches closed with this one as further lines of its vendor order. */
  riders?: number;
  /** Not closed: another vendor order of the account leaves soon; close again at this time (ms), to ride in it. */
  rideAtMs?: number;
}

const TERMINAL: BatchStatus[] = ["settled", "failed", "empty"];
const OPEN_ORDER = ["pending", "processing"] as const;

const batchResult = (b: Pick<Batch, "id" | "status" | "members" | "quantity">, extra: Partial<BatchResult> = {}): BatchResult => ({
  batchId: b.id,
  status: b.status,
  done: TERMINAL.includes(b.status),
  members: b.members,
  quantity: b.quantity,
  ...extra,
});

async function loadBatch(db: DbOrTx, batchId: string): Promise<Batch> {
  const [b] = await db.select().from(vendorBatches).where(eq(vendorBatches.id, batchId)).limit(1);
  if (!b) throw new Error(`vendor batch ${batchId} not found`);
  return b;
}

/**
 * The open batch of `key`, locked (shared) for the caller's transaction, or a new one (with its
 * request id and the event that drives it). Locking the open batch means a batch that is closing
 * right now is waited for, and a batch cannot close while an arrival is deciding to count on it:
 * once it has closed, its pool query has seen every order committed before, and the next arrival
 * opens the next batch. (An order's own run may wait here; the statement that creates an order
 * does not: it skips a closing batch and leaves the order to this run, create.ts `batchJoin`.)
 */
async function openBatchFor(tx: Tx, key: BatchKey, windowMs: number): Promise<{ batchId: string; opened: boolean }> {
  for (let tries = 0; tries < 20; tries++) {
    // Shared: arrivals do not wait for each other, only for a batch that is closing (it locks it for update).
    const [open] = await tx.execute<{ id: string }>(sql`select b.id from ${vendorBatches} b where ${openBatchOf(key)} for share of b`);
    if (open) return { batchId: open.id, opened: false };
    const fresh = newOpenBatch(key, windowMs);
    const inserted = await tx.execute<{ id: string }>(fresh.insert);
    if (inserted.length > 0) {
      await enqueueEvent(tx, fresh.ready);
      return { batchId: fresh.id, opened: true };
    }
    // Another arrival opened it meanwhile: lock that one.
  }
  throw new Error("could not find or open a vendor batch");
}

export type QueueResult = { orderId: string; mode: "single" } | { orderId: string; mode: "batch"; status: string; batchId: string | null; opened?: boolean };

/**
 * What an order's own run does first: a pending batched order not yet in a batch makes sure an
 * open batch of its key exists (the batch picks its members from the pool when it closes). Orders
 * made before batching (`batched` false) answer `single`: they keep their own request id.
 */
export async function queueOrder(rt: OrderRuntime, orderId: string): Promise<QueueResult> {
  try {
    return await queueOrderOnce(rt, orderId);
  } catch (e) {
    // A batch closed with this order while it was opening another: that one is not needed.
    if (e instanceof TakenMeanwhile) return { orderId, mode: "batch", status: "pending", batchId: e.batchId };
    throw e;
  }
}

class TakenMeanwhile extends Error {
  constructor(readonly batchId: string) {
    super("the order was taken by a batch meanwhile");
  }
}

async function queueOrderOnce(rt: OrderRuntime, orderId: string): Promise<QueueResult> {
  return rt.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ order: orders, vendorProductId: catalogProducts.vendorProductId })
      .from(orders)
      .innerJoin(catalogProducts, eq(catalogProducts.id, orders.productId))
      .where(eq(orders.id, orderId))
      .limit(1);
    if (!row) throw new Error(`order ${orderId} not found`);
    const { order } = row;
    if (!order.batched) return { orderId, mode: "single" as const };
    if (order.status !== "pending" || order.batchId) return { orderId, mode: "batch" as const, status: order.status, batchId: order.batchId };
    const { batchId, opened } = await openBatchFor(
      tx,
      {
        environment: order.environment,
        account: rt.vendorFor(order.environment).account,
        productId: order.productId,
        vendorProductId: row.vendorProductId,
        faceValue: order.faceValue,
        faceCurrency: order.faceCurrency,
      },
      rt.batchWindowMs,
    );
    if (opened) {
      // The open batch this order would have joined may have closed (with it) while we waited for
      // it: then the new batch would gather nothing. Read the order again (a new snapshot) and undo.
      const [now] = await tx.select({ batchId: orders.batchId }).from(orders).where(eq(orders.id, orderId));
      if (now?.batchId) throw new TakenMeanwhile(now.batchId);
    }
    return { orderId, mode: "batch" as const, status: order.status, batchId, opened };
  });
}

/**
 * When an open batch should close: the end of its window or its product's next placement slot
 * (reserved now for the batch's request id, so it is kept), whichever is later. Epoch ms; null
 * when the batch is no longer open.
 */
export async function batchCloseTime(rt: OrderRuntime, batchId: string): Promise<{ status: BatchStatus; closeAtMs: number | null }> {
  const batch = await loadBatch(rt.db, batchId);
  if (batch.status !== "open") return { status: batch.status, closeAtMs: null };
  const slot = await rt.vendorFor(batch.environment).reservePlacementSlot(Number.parseInt(batch.vendorProductId, 10), batch.vendorRequestId);
  const windowEnd = batch.closeAt.getTime();
  // Close a little before the slot, so the closing transaction does not make the send late.
  const slotAt = slot.waitMs > 0 ? Date.now() + slot.waitMs - 50 : 0;
  return { status: batch.status, closeAtMs: Math.max(windowEnd, slotAt) };
}

/**
 * How long a batch ready to leave (its window over, its product's slot come) may wait to ride in
 * another batch's vendor order rather than be placed alone (`closeBatch`'s `ride`). Each product's slot comes at its own
 * time (about every 10 s while the product is busy): without waiting, batches ride only when two
 * slots fall within 100 ms of each other, and a busy account places about as many vendor orders as
 * its products have slots (bench (c), 50 products: 108 placements for 1,000 orders). A batch waits
 * for the last departure of its account within this span, so the batches whose slots come within it
 * leave as one vendor order. Bounded, and only when a departure is that close: a batch with nothing
 * leaving soon goes when it is ready, as before (one product alone never waits).
 */
export const RIDE_WAIT_MS = 1_500;
/** After the lead's slot: time for its closing transaction to take this batch first. */
const RIDE_GRACE_MS = 400;

/**
 * The last reserved product slot, in (`fromMs`, `fromMs` + `withinMs`], of another open batch of
 * `batch`'s account (same environment and currency), of another product: when the last vendor
 * order leaving in that span goes. Null when none.
 */
async function lastDepartureWithin(db: DbOrTx, batch: Batch, prefix: string, fromMs: number, withinMs: number): Promise<number | null> {
  const [next] = await db.execute<{ at: number | null }>(sql`
    select (extract(epoch from max(r.slot_at)) * 1000)::float8 as at from ${fellowBatches(batch, prefix)}
      and r.slot_at > to_timestamp(${fromMs / 1000}) and r.slot_at <= to_timestamp(${(fromMs + withinMs) / 1000})`);
  return next?.at ?? null;
}

/**
 * The batches that may share `batch`'s vendor order, as `b` with their product slot's reservation
 * as `r`: open, of its environment, vendor account and currency, of another product. A WHERE clause
 * follows, for the caller's further conditions to be added with `and`.
 */
const fellowBatches = (batch: Batch, prefix: string) => sql`
  ${vendorBatches} b
  join vendor_rate_reservations r on r.holder = b.vendor_request_id and r.key = ${prefix} || b.vendor_product_id
  where b.environment = ${batch.environment} and b.account = ${batch.account} and b.face_currency = ${batch.faceCurrency}
    and b.status = 'open' and b.id <> ${batch.id} and b.vendor_product_id <> ${batch.vendorProductId}`;

interface PoolOrder {
  id: string;
  partnerId: string;
  quantity: number;
  createdAt: Date;
}

/**
 * Fair choice of a batch's members from the pool (oldest first, `pool` sorted by created_at, id):
 * the oldest waiting order always goes (so none waits forever behind smaller ones), then the
 * partners take turns, each partner's orders oldest first; an order that does not fit under the
 * cap is skipped for the next batch.
 */
export function chooseMembers(pool: PoolOrder[], maxCards = BATCH_MAX_CARDS): PoolOrder[] {
  if (pool.length === 0) return [];
  const turn = new Map<string, number>();
  const ranked = pool.map((o, i) => {
    const t = turn.get(o.partnerId) ?? 0;
    turn.set(o.partnerId, t + 1);
    return { o, turn: t, i };
  });
  const [first, ...rest] = ranked;
  rest.sort((a, b) => a.turn - b.turn || a.i - b.i);
  const chosen: PoolOrder[] = [];
  let cards = 0;
  for (const { o } of [first!, ...rest]) {
    if (cards + o.quantity > maxCards) continue;
    chosen.push(o);
    cards += o.quantity;
    if (cards === maxCards) break;
  }
  return chosen;
}

const poolWhere = (b: Batch) => sql`
  o.environment = ${b.environment} and o.face_value = ${b.faceValue} and o.face_currency = ${b.faceCurrency}
  and o.status = 'pending' and o.batched and o.batch_id is null
  and o.product_id in (select id from ${catalogProducts} where vendor_product_id = ${b.vendorProductId})`;

/** The key a batch gathers for. */
const keyOf = (b: Batch): BatchKey => ({
  environment: b.environment,
  account: b.account,
  productId: b.productId,
  vendorProductId: b.vendorProductId,
  faceValue: b.faceValue,
  faceCurrency: b.faceCurrency,
});

/** Chooses `batch`'s members from its pool (at most `maxCards` cards) and fixes them (orders.batch_id). */
async function fixMembers(tx: Tx, batch: Batch, maxCards: number): Promise<{ members: number; quantity: number }> {
  const pool = await tx.execute<{ id: string; partner_id: string; quantity: number; created_at: string }>(sql`
    select o.id, o.partner_id, o.quantity, o.created_at from ${orders} o where ${poolWhere(batch)}
    order by o.created_at, o.id`);
  const chosen = chooseMembers(
    pool.map((r) => ({ id: r.id, partnerId: r.partner_id, quantity: r.quantity, createdAt: new Date(r.created_at) })),
    maxCards,
  );
  const members = chosen.length
    ? await tx
        .update(orders)
        .set({ batchId: batch.id, updatedAt: new Date() })
        .where(
          and(
            inArray(
              orders.id,
              chosen.map((o) => o.id),
            ),
            eq(orders.status, "pending"),
            sql`${orders.batchId} is null`,
          ),
        )
        .returning({ id: orders.id, quantity: orders.quantity })
    : [];
  return { members: members.length, quantity: members.reduce((n, m) => n + m.quantity, 0) };
}

/** What did not fit in `batch` (or arrived while it closed) goes in the next batch of its key, which opens at once. */
async function openNextIfLeft(tx: Tx, batch: Batch): Promise<void> {
  const [left] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from ${orders} o where ${poolWhere(batch)}`);
  if ((left?.n ?? 0) > 0) await openBatchFor(tx, keyOf(batch), 0);
}

/**
 * Closes an open batch: chooses its members from the pool and fixes them (orders.batch_id) in the
 * same transaction that moves the batch open → placing, before any vendor call; the quantity sent
 * is theirs. Orders left in the pool open the next batch at once (its own slot). A batch with no
 * member (its orders left by another path) ends `empty` and is never sent. A re-run, or a second
 * worker, finds the batch no longer open and changes nothing.
 *
 * A batch that closes takes along, as further lines of its vendor order, the other open batches of
 * its vendor account whose product's placement slot has come (`takeRiders`). With `ride` (the
 * batch's own run, at its close time), a batch that another vendor order of its account would carry
 * soon is left open and `rideAtMs` says when to close it instead (`RIDE_WAIT_MS`): by then that
 * order's lead has taken it along, or it leads itself.
 */
export async function closeBatch(rt: OrderRuntime, batchId: string, opts: { ride?: boolean } = {}): Promise<BatchResult> {
  return rt.db.transaction(async (tx) => {
    const [batch] = await tx
      .select()
      .from(vendorBatches)
      .where(and(eq(vendorBatches.id, batchId), eq(vendorBatches.status, "open")))
      .for("update");
    if (!batch) return batchResult(await loadBatch(tx, batchId));
    const prefix = rt.vendorFor(batch.environment).productSlotPrefix;
    if (opts.ride && prefix !== null) {
      const lead = await lastDepartureWithin(tx, batch, prefix, Date.now(), RIDE_WAIT_MS);
      if (lead !== null) return batchResult(batch, { rideAtMs: lead + RIDE_GRACE_MS });
    }
    const { members, quantity } = await fixMembers(tx, batch, BATCH_MAX_CARDS);
    const empty = members === 0;
    const [closed] = await tx
      .update(vendorBatches)
      .set({
        status: empty ? "empty" : "placing",
        members,
        quantity,
        closedAt: new Date(),
        updatedAt: new Date(),
        ...(empty ? { finishedAt: new Date() } : {}),
      })
      .where(eq(vendorBatches.id, batchId))
      .returning();
    await openNextIfLeft(tx, batch);
    const riders = empty ? 0 : await takeRiders(rt, tx, closed!);
    return batchResult(closed!, riders ? { riders } : {});
  });
}

/** At most this many other batches ride in one vendor order (one line each). */
const MAX_RIDERS = 49;

/**
 * Riders: open batches of the lead's environment, vendor account and currency, of other products,
 * whose product's placement slot has come (their reservation, made when they opened, is due), are
 * closed with the lead (members fixed the same way, under the cards the lead leaves) and become
 * further lines of its vendor order: placed under the lead's request id, polled and settled with
 * it. Their reserved slots pass to the lead's request id, so its send uses them. Bamboo's limits
 * are per product (about 6 placements a minute) and per account (2 a second): lines of several
 * products in one placement use each product's own slot and one account slot, so when many
 * products are busy the account's slots no longer decide how often each product goes. Without
 * per-product spacing there are no slots to wait for and no riders: each batch goes at the end of
 * its window on its own. Oldest batch first; one line per product.
 */
async function takeRiders(rt: OrderRuntime, tx: Tx, lead: Batch): Promise<number> {
  const prefix = rt.vendorFor(lead.environment).productSlotPrefix;
  if (prefix === null) return 0;
  const candidates = await tx.execute<{ id: string }>(sql`
    select b.id from ${fellowBatches(lead, prefix)}
      and r.slot_at <= clock_timestamp() + interval '100 milliseconds'
    order by b.created_at, b.id
    limit ${MAX_RIDERS}
    for update of b skip locked`);
  if (candidates.length === 0) return 0;
  // Their rows, in the same order (already locked above).
  const rows = await tx
    .select()
    .from(vendorBatches)
    .where(
      inArray(
        vendorBatches.id,
        candidates.map((c) => c.id),
      ),
    )
    .orderBy(asc(vendorBatches.createdAt), asc(vendorBatches.id));
  let room = BATCH_MAX_CARDS - lead.quantity;
  const products = new Set([lead.vendorProductId]);
  let taken = 0;
  for (const rider of rows) {
    if (room <= 0) break;
    if (products.has(rider.vendorProductId)) continue;
    const { members, quantity } = await fixMembers(tx, rider, room);
    if (members === 0) continue;
    await tx
      .update(vendorBatches)
      .set({ status: "placing", members, quantity, closedAt: new Date(), updatedAt: new Date(), placementBatchId: lead.id })
      .where(eq(vendorBatches.id, rider.id));
    await tx.execute(sql`
      update vendor_rate_reservations set holder = ${lead.vendorRequestId}
      where holder = ${rider.vendorRequestId} and key = ${prefix + rider.vendorProductId}`);
    await openNextIfLeft(tx, rider);
    room -= quantity;
    products.add(rider.vendorProductId);
    taken++;
  }
  return taken;
}

/** The batches that ride in `leadId`'s vendor order (its further lines), oldest first. */
async function ridersOf(db: DbOrTx, leadId: string): Promise<Batch[]> {
  return db.select().from(vendorBatches).where(eq(vendorBatches.placementBatchId, leadId)).orderBy(asc(vendorBatches.createdAt), asc(vendorBatches.id));
}

const lineOf = (b: Batch) => ({ productId: Number.parseInt(b.vendorProductId, 10), quantity: b.quantity, faceValue: b.faceValue });

/**
 * Sends a closed batch to the vendor under its stored request id, with its riders as further
 * lines. Accepted → placed and its members processing; refused (a documented refusal only) →
 * every member failed and refunded, once; a refused order of several lines is first split (each
 * batch is sent alone, under a new request id: the refusal may be one product's). An unknown
 * answer throws (the step is retried with the same id and lines) and never refunds; after an odd
 * answer the batch is first re-checked by its request id. A rider is sent by its lead.
 */
export async function placeBatch(rt: OrderRuntime, batchId: string): Promise<BatchResult> {
  const batch = await loadBatch(rt.db, batchId);
  if (batch.status !== "placing") return batchResult(batch);
  if (batch.placementBatchId) return { ...batchResult(batch), done: true };
  const riders = await ridersOf(rt.db, batchId);
  const vendor = rt.vendorFor(batch.environment);
  const outcome = await vendor.placeOrder(
    riders.length
      ? { requestId: batch.vendorRequestId, orderId: batchId, lines: [lineOf(batch), ...riders.map(lineOf)] }
      : { requestId: batch.vendorRequestId, orderId: batchId, ...lineOf(batch) },
  );
  if (outcome.status === "rejected") {
    if (riders.length === 0) return failBatch(rt.db, batchId, outcome.code);
    await splitPlacement(rt.db, batch, outcome.code);
    return placeBatch(rt, batchId);
  }
  let vendorStatus = "Created";
  if (outcome.status === "unknown") {
    let known: VendorOrder | null = null;
    if (ODD_ANSWERS.has(outcome.error.kind)) {
      try {
        known = await vendor.getOrder(batch.vendorRequestId, { orderId: batchId, maxAttempts: 1, maxWaitMs: 5_000 });
      } catch (e) {
        if (!(e instanceof VendorError)) throw e;
      }
    }
    if (!known) throw outcome.error;
    vendorStatus = known.vendorStatus;
  }
  return markPlaced(rt.db, batchId, vendorStatus);
}

/**
 * A vendor order of several lines was refused: nothing was bought under its request id. Each of
 * its batches gets a new request id (stored before any call) and goes alone: the lead in the same
 * run, each rider in a run of its own.
 */
async function splitPlacement(db: Db, lead: Batch, code: VendorFailureCode): Promise<void> {
  await db.transaction(async (tx) => {
    const [locked] = await tx
      .select({ id: vendorBatches.id })
      .from(vendorBatches)
      .where(and(eq(vendorBatches.id, lead.id), eq(vendorBatches.status, "placing"), eq(vendorBatches.vendorRequestId, lead.vendorRequestId)))
      .for("update");
    if (!locked) return;
    await tx.update(vendorBatches).set({ vendorRequestId: sql`gen_random_uuid()::text`, updatedAt: new Date() }).where(eq(vendorBatches.id, lead.id));
    const riders = await tx
      .update(vendorBatches)
      .set({ placementBatchId: null, vendorRequestId: sql`gen_random_uuid()::text`, updatedAt: new Date() })
      .where(and(eq(vendorBatches.placementBatchId, lead.id), eq(vendorBatches.status, "placing")))
      .returning({ id: vendorBatches.id });
    if (riders.length) {
      await enqueueEvent(
        tx,
        riders.map((r) => ({ name: "order/batch.ready" as const, data: { batchId: r.id }, id: `batch-alone:${r.id}` })),
      );
    }
    console.warn(`[orders] vendor batch ${lead.id}: an order of ${riders.length + 1} lines was refused (${code}); each line goes alone`);
  });
}

async function markPlaced(db: Db, batchId: string, vendorStatus: string): Promise<BatchResult> {
  return db.transaction(async (tx) => {
    const [b] = await tx
      .update(vendorBatches)
      .set({ status: "placed", placedAt: new Date(), updatedAt: new Date(), vendorStatus, nextPollAt: new Date() })
      .where(and(eq(vendorBatches.id, batchId), eq(vendorBatches.status, "placing")))
      .returning();
    if (!b) return batchResult(await loadBatch(tx, batchId));
    // Its riders were placed with it; they are polled through it (no poll of their own).
    const riders = await tx
      .update(vendorBatches)
      .set({ status: "placed", placedAt: new Date(), updatedAt: new Date(), vendorStatus, nextPollAt: null })
      .where(and(eq(vendorBatches.placementBatchId, batchId), eq(vendorBatches.status, "placing")))
      .returning({ id: vendorBatches.id });
    await tx
      .update(orders)
      .set({ status: "processing", placedAt: new Date(), updatedAt: new Date(), vendorStatus })
      .where(and(inArray(orders.batchId, [batchId, ...riders.map((r) => r.id)]), eq(orders.status, "pending")));
    return batchResult(b);
  });
}

/** A refused or failed batch: every open member failed and refunded, once; the batch failed. */
async function failBatch(db: Db, batchId: string, code: VendorFailureCode, vendorStatus?: string): Promise<BatchResult> {
  return db.transaction(async (tx) => {
    const [b] = await tx
      .update(vendorBatches)
      .set({ status: "failed", failureCode: code, vendorStatus: vendorStatus ?? null, finishedAt: new Date(), updatedAt: new Date(), nextPollAt: null })
      .where(and(eq(vendorBatches.id, batchId), inArray(vendorBatches.status, ["placing", "placed"])))
      .returning();
    if (!b) return batchResult(await loadBatch(tx, batchId));
    const members = await tx
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.batchId, batchId), inArray(orders.status, [...OPEN_ORDER])))
      .orderBy(asc(orders.createdAt), asc(orders.id))
      .for("update");
    // Every member's accounts at once, in the ledger's lock order, before the first refund: two
    // batches refunding members of the same wallets in another order queue instead of deadlocking.
    await lockOrderAccounts(tx, { refunding: members.map((m) => m.id) });
    for (const m of members) await failOpenOrder(tx, m.id, code, vendorStatus);
    return batchResult(b);
  });
}

/** The next poll's delay after `pollCount` polls: the runtime's schedule, its last entry repeated. */
function nextPollDelayMs(rt: OrderRuntime, pollCount: number): number {
  const s = rt.pollScheduleMs;
  return s.length ? s[Math.min(pollCount, s.length - 1)]! : 60_000;
}

/** What one get-order for a batch left to do: nothing more (`result`), or its settlement (`settle`, not yet run). */
export type BatchAnswer = { result: BatchResult } | { settle: () => Promise<BatchResult> };

/**
 * One get-order for the whole batch (by its request id), then `settleBatch`. The vendor not
 * knowing the request id changes nothing (a placement of unknown outcome is re-sent by the
 * batch's run; nothing is refunded blind). No answer throws a VendorError, as the client does.
 */
export async function pollBatch(rt: OrderRuntime, batchId: string): Promise<BatchResult> {
  const asked = await askBatch(rt, batchId);
  return "result" in asked ? asked.result : asked.settle();
}

/**
 * The get-order of `pollBatch` alone: the settlement the vendor's answer calls for is returned
 * unrun, so a caller that asks about many batches (the shared poller) can settle one while it
 * asks about the next. The settlement is as safe to run late or twice as `pollBatch`'s. A batch
 * of several lines (a lead and its riders) is asked about once, by the lead's request id, and
 * every line still at work is settled from its own part of the answer, whichever line was asked.
 */
export async function askBatch(rt: OrderRuntime, batchId: string): Promise<BatchAnswer> {
  const batch = await loadBatch(rt.db, batchId);
  if (batch.status !== "placing" && batch.status !== "placed") return { result: batchResult(batch) };
  const lead = batch.placementBatchId ? await loadBatch(rt.db, batch.placementBatchId) : batch;
  let vendorOrder: VendorOrder | null;
  try {
    vendorOrder = await rt.vendorFor(batch.environment).getOrder(lead.vendorRequestId, { orderId: batchId });
  } catch (e) {
    await notePoll(rt, batch, null);
    throw e;
  }
  if (!vendorOrder) {
    await notePoll(rt, batch, null);
    return { result: batchResult(batch) };
  }
  const answer = vendorOrder;
  return { settle: () => settlePlacement(rt, lead, batchId, answer) };
}

/**
 * Settles every line of `lead`'s vendor order still at work from its part of the answer: the
 * riders first, the lead last, so that a crash in between leaves the lead at work and asked
 * again. Returns the result of `askedId`'s batch.
 */
async function settlePlacement(rt: OrderRuntime, lead: Batch, askedId: string, answer: VendorOrder): Promise<BatchResult> {
  const riders = await ridersOf(rt.db, lead.id);
  if (riders.length === 0) return settleBatch(rt, lead.id, answer);
  const group = [...riders, lead];
  const totals = await lineTotals(rt.db, answer, group);
  let asked: BatchResult | null = null;
  for (const b of group) {
    if (b.status !== "placing" && b.status !== "placed") continue;
    const r = await settleBatch(rt, b.id, lineAnswer(answer, b, group, totals.get(b.id) ?? null));
    if (b.id === askedId) asked = r;
  }
  return asked ?? batchResult(await loadBatch(rt.db, askedId));
}

type LineKey = Pick<Batch, "id" | "vendorProductId" | "faceValue" | "quantity">;
/** The lines of one vendor order are of distinct products: an item is its product's line's (deliveryMismatches then checks its face value). */
const onLine = (item: VendorOrder["items"][number], b: LineKey) => item.productId === Number.parseInt(b.vendorProductId, 10);

/**
 * `line`'s part of the answer to a vendor order of several lines: its item (its product) and
 * cards, and the order's state as it stands for this line (a PartialFailed order in which this
 * line has every card is, for it, delivered). An item of a product no line ordered makes every
 * line see the whole answer, so each reports the mismatch.
 */
export function lineAnswer(answer: VendorOrder, line: LineKey, group: LineKey[], total: string | null): VendorOrder {
  if (group.length <= 1 || answer.items.some((i) => !group.some((b) => onLine(i, b)))) return answer;
  const items = answer.items.filter((i) => onLine(i, line));
  const cards = items.flatMap((i) => i.cards);
  const state = answer.state === "partial" && cards.length >= line.quantity ? "succeeded" : answer.state;
  return { ...answer, items, cards, state, total };
}

/**
 * What the vendor charged for each line: its `total` (for every card delivered, all lines) split
 * over the lines by what we expected each line's delivered cards to cost (the members' catalog
 * costs), as cumulative rounded shares so the lines add up to the total exactly. Null for every
 * line without a usable total (the members' estimates stand in, see deliveredCost).
 */
async function lineTotals(db: DbOrTx, answer: VendorOrder, group: Batch[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const total = answer.total === null ? null : new Decimal(answer.total);
  if (!total || total.isNegative()) return out;
  const costs = await db.execute<{ batch_id: string; cost: string; quantity: number }>(sql`
    select batch_id, sum(vendor_cost)::text as cost, sum(quantity)::int as quantity from ${orders}
    where batch_id in (${sql.join(
      group.map((b) => sql`${b.id}`),
      sql`, `,
    )}) group by batch_id`);
  const weights = group.map((b) => {
    const c = costs.find((r) => r.batch_id === b.id);
    const delivered = answer.items.filter((i) => onLine(i, b)).reduce((n, i) => n + i.cards.length, 0);
    return c && c.quantity > 0 ? new Decimal(c.cost).dividedBy(c.quantity).times(delivered) : new Decimal(0);
  });
  const sum = weights.reduce((a, w) => a.plus(w), new Decimal(0));
  if (sum.isZero()) return out;
  let cumulative = new Decimal(0);
  let before = new Decimal(0);
  group.forEach((b, k) => {
    cumulative = cumulative.plus(weights[k]!);
    const upTo = total.times(cumulative).dividedBy(sum).toDecimalPlaces(4);
    out.set(b.id, upTo.minus(before).toFixed(4));
    before = upTo;
  });
  return out;
}

async function notePoll(rt: OrderRuntime, batch: Batch, vendorStatus: string | null, tx: DbOrTx = rt.db) {
  await tx
    .update(vendorBatches)
    .set({
      pollCount: sql`${vendorBatches.pollCount} + 1`,
      lastPolledAt: new Date(),
      // A rider is asked about through its lead: no poll of its own.
      nextPollAt: batch.placementBatchId ? null : new Date(Date.now() + nextPollDelayMs(rt, batch.pollCount)),
      updatedAt: new Date(),
      ...(vendorStatus ? { vendorStatus } : {}),
    })
    .where(and(eq(vendorBatches.id, batch.id), inArray(vendorBatches.status, ["placing", "placed"])));
}

interface CompletedMember {
  id: string;
  /** The order's source (api, dashboard, counter), carried in its `order/completed` event. */
  source: string;
  cards: number;
  refunded: string;
  cost: string | null;
}

/** Marks members `completed` with their cards, refund and settled cost, in one statement. */
async function completeMembers(tx: Tx, rows: CompletedMember[], vendor: { vendorStatus: string | null; vendorOrderId: string | null; updatedAt: Date }) {
  await tx.execute(sql`
    update ${orders} set status = 'completed', cards_delivered = v.cards, refunded_amount = v.refunded, settled_cost = v.cost,
      finished_at = ${vendor.updatedAt.toISOString()}::timestamptz, updated_at = ${vendor.updatedAt.toISOString()}::timestamptz, vendor_status = ${vendor.vendorStatus}, vendor_order_id = ${vendor.vendorOrderId}
    from unnest(
      ${pgArray(rows.map((r) => r.id))}::text[], ${pgArray(rows.map((r) => r.cards))}::int[],
      ${pgArray(rows.map((r) => r.refunded))}::numeric[], ${pgArray(rows.map((r) => r.cost))}::numeric[]) as v (id, cards, refunded, cost)
    where ${orders.id} = v.id`);
}

/**
 * Settles a batch from the vendor's answer, in one transaction, exactly once (the batch leaves
 * placing/placed; a re-run finds it settled and changes nothing):
 * - still pending → the batch is placed (the vendor has it) and asked again later;
 * - failed, or PartialFailed with no card → every open member failed and refunded once;
 * - delivered → cards assigned in the vendor's order to the members oldest first (created_at, id):
 *   member k gets the cards after those of the members before it; a member with all its cards is
 *   completed, with some is completed and refunded the rest, with none is failed and refunded;
 *   each completed member records its share of what the vendor charged and its margin goes to
 *   platform revenue (ledger), in the same transaction;
 * - a delivery that does not match the batch (product, face value, count) settles nothing and
 *   refunds nothing: members stay open, each with an open reconciliation issue, and the batch is
 *   asked again later (the vendor may correct its answer).
 */
async function settleBatch(rt: OrderRuntime, batchId: string, vendorOrder: VendorOrder): Promise<BatchResult> {
  // The revenue shards the margins go to exist before the settlement's transaction (none is created in it).
  const wallets = await rt.db.selectDistinct({ currency: orders.currency, environment: orders.environment }).from(orders).where(eq(orders.batchId, batchId));
  for (const w of wallets) await ensureRevenueShards(rt.db, w.currency as Currency, w.environment);
  return rt.db.transaction(async (tx) => {
    const [batch] = await tx
      .select()
      .from(vendorBatches)
      .where(and(eq(vendorBatches.id, batchId), inArray(vendorBatches.status, ["placing", "placed"])))
      .for("update");
    if (!batch) return batchResult(await loadBatch(tx, batchId));
    const members = await tx.select().from(orders).where(eq(orders.batchId, batchId)).orderBy(asc(orders.createdAt), asc(orders.id)).for("update");
    const vendorFields = { vendorStatus: vendorOrder.vendorStatus, vendorOrderId: vendorOrder.vendorOrderId, updatedAt: new Date() };

    if (vendorOrder.state === "pending") {
      await notePoll(rt, batch, vendorOrder.vendorStatus, tx);
      await tx
        .update(vendorBatches)
        .set({ status: "placed", placedAt: batch.placedAt ?? new Date(), vendorOrderId: vendorOrder.vendorOrderId })
        .where(eq(vendorBatches.id, batchId));
      await tx
        .update(orders)
        .set({ status: "processing", placedAt: sql`coalesce(${orders.placedAt}, now())`, pollCount: sql`${orders.pollCount} + 1`, ...vendorFields })
        .where(and(eq(orders.batchId, batchId), inArray(orders.status, [...OPEN_ORDER])));
      const [now] = await tx.select().from(vendorBatches).where(eq(vendorBatches.id, batchId));
      return batchResult(now!);
    }

    const problems = deliveryMismatches({ quantity: batch.quantity, faceValue: batch.faceValue }, batch.vendorProductId, vendorOrder);
    if (problems.length > 0) {
      const detail = `vendor batch ${batchId}: ${problems.join("; ")}`;
      await notePoll(rt, batch, vendorOrder.vendorStatus, tx);
      await tx
        .update(vendorBatches)
        .set({ status: "placed", placedAt: batch.placedAt ?? new Date(), vendorOrderId: vendorOrder.vendorOrderId })
        .where(eq(vendorBatches.id, batchId));
      const open = members.filter((m) => m.status === "pending" || m.status === "processing");
      if (open.length) {
        await tx
          .update(orders)
          .set({ status: "processing", pollCount: sql`${orders.pollCount} + 1`, ...vendorFields })
          .where(
            inArray(
              orders.id,
              open.map((m) => m.id),
            ),
          );
        await tx
          .insert(reconciliationIssues)
          .values(
            open.map((m) => ({
              id: newId("rec"),
              orderId: m.id,
              vendorRequestId: vendorOrder.requestId,
              kind: "delivery_mismatch",
              ourStatus: "processing",
              vendorStatus: vendorOrder.vendorStatus,
              detail,
            })),
          )
          .onConflictDoNothing();
      }
      console.error(`[orders] ${detail}; ${open.length} order(s) left open for an admin`);
      return { ...batchResult({ ...batch, status: "placed" }), done: true, attention: detail };
    }

    const nothingDelivered = vendorOrder.state === "failed" || (vendorOrder.state === "partial" && vendorOrder.cards.length === 0);
    const code: VendorFailureCode = vendorOrder.failureCode ?? "vendor_order_failed";
    const cards = nothingDelivered ? [] : vendorOrder.cards;
    const cardRows: Array<typeof orderCards.$inferInsert> = [];
    const completed: CompletedMember[] = [];
    const revenue: OrderRevenueInput[] = [];
    const charged = { total: vendorOrder.total, currency: vendorOrder.currency, cards: cards.length };
    const unassigned: string[] = [];
    // A settlement that refunds (members short of cards) locks every account it moves money in (the
    // refunds, the margins and commissions of members with cards) at once, in the ledger's lock order,
    // before its first transfer: batches whose members share wallets or shards queue instead of
    // deadlocking. A settlement that refunds nothing takes no lock before its margins, which come last
    // (recognizeOrderRevenue, in its own lock order): the settlement shards it credits are the ones
    // every new order's debit credits, so locking them before the card inserts would stall new
    // orders for the whole settlement (bench: POST p50 7 s while 500-card batches settled).
    // Each member's cards, oldest member first: its positions in the vendor's answer.
    let offset = 0;
    const shares = members.map((m) => {
      const start = offset;
      offset += m.quantity;
      return { m, start, mine: cards.slice(start, Math.min(start + m.quantity, cards.length)), open: m.status === "pending" || m.status === "processing" };
    });
    const openShares = shares.filter((x) => x.open);
    const refunding = openShares.filter((x) => x.mine.length < x.m.quantity).map((x) => x.m.id);
    const completing = openShares.filter((x) => x.mine.length > 0).map((x) => x.m.id);
    if (refunding.length) await lockOrderAccounts(tx, { refunding, completing });
    for (const { m, start, mine, open } of shares) {
      if (!open) {
        // Left the batch by another path after it was sent: its cards (if any) stay unassigned, for an admin.
        if (mine.length) unassigned.push(`${m.id} (${m.status}): ${mine.length} card(s) at positions ${start}–${start + mine.length - 1}`);
        continue;
      }
      if (mine.length === 0) {
        await failOpenOrder(tx, m.id, code, vendorOrder.vendorStatus);
        continue;
      }
      for (const [position, c] of mine.entries()) {
        cardRows.push({
          id: newId("crd"),
          orderId: m.id,
          partnerId: m.partnerId,
          position,
          vendorCardId: c.vendorCardId,
          codeEncrypted: encryptSecret(c.code, rt.encryptionKey),
          pinEncrypted: c.pin ? encryptSecret(c.pin, rt.encryptionKey) : null,
          serialNumber: c.serialNumber,
          faceValue: m.faceValue,
          currency: m.faceCurrency,
          expiresAt: c.expiresAt,
          batchId,
          batchPosition: start + position,
        });
      }
      const missing = m.quantity - mine.length;
      let refunded = "0";
      if (missing > 0) {
        refunded = new Decimal(m.unitPrice).times(missing).toFixed(4);
        await refundOrder(tx, { orderId: m.id, amount: refunded, reason: `partial fulfilment: ${missing} of ${m.quantity} cards not delivered` });
      }
      const settled = deliveredCost(m, charged, start, mine.length);
      completed.push({ id: m.id, source: m.source, cards: mine.length, refunded, cost: settled.cost });
      const price = new Decimal(m.totalPrice).minus(refunded).toFixed(4);
      revenue.push({ orderId: m.id, price, cost: settled.cost, cards: mine.length, costSource: settled.source });
    }
    // Every completed member in one statement, not one round trip each inside the settlement.
    if (completed.length) await completeMembers(tx, completed, vendorFields);
    // Bounded statements (a batch holds at most 500 cards).
    for (let i = 0; i < cardRows.length; i += 250) await tx.insert(orderCards).values(cardRows.slice(i, i + 250));
    if (completed.length) {
      // Each member's own event (for what concerns one order: a counter sale's receipt), and one for
      // the batch: its members' webhook events in one run (orders/completed).
      await enqueueEvent(tx, [
        ...completed.map((c) => ({
          name: "order/completed" as const,
          data: { orderId: c.id, source: c.source, via: "batch" as const },
          id: `order-completed:${c.id}`,
        })),
        { name: "orders/completed" as const, data: { batchId, orderIds: completed.map((c) => c.id) }, id: `orders-completed:${batchId}` },
      ]);
    }
    if (unassigned.length && members[0]) {
      await tx
        .insert(reconciliationIssues)
        .values({
          id: newId("rec"),
          orderId: members[0].id,
          vendorRequestId: vendorOrder.requestId,
          kind: "batch_cards_unassigned",
          ourStatus: members[0].status,
          vendorStatus: vendorOrder.vendorStatus,
          detail: `vendor batch ${batchId}: cards of orders that left the batch after it was sent: ${unassigned.join("; ")}`,
        })
        .onConflictDoNothing();
    }
    const failed = completed.length === 0;
    const [settled] = await tx
      .update(vendorBatches)
      .set({
        status: failed ? "failed" : "settled",
        failureCode: failed ? code : null,
        placedAt: batch.placedAt ?? new Date(),
        pollCount: sql`${vendorBatches.pollCount} + 1`,
        lastPolledAt: new Date(),
        nextPollAt: null,
        finishedAt: new Date(),
        vendorOrderId: vendorOrder.vendorOrderId,
        vendorStatus: vendorOrder.vendorStatus,
        updatedAt: new Date(),
      })
      .where(eq(vendorBatches.id, batchId))
      .returning();
    // The completed members' margins (ledger revenue), in this transaction and as its last
    // statement: the settlement shards it credits are the ones every new order's debit credits,
    // and they stay locked only until the commit right after it (bench, stop 21: this statement
    // was the lock new orders waited on most, in pg_stat_activity sampled every 20 ms).
    await recognizeOrderRevenue(tx, revenue);
    return batchResult(settled!);
  });
}

/** The vendor batch an order was placed in (null while it waits in the pool, or for orders made before batching). */
export async function batchOf(db: DbOrTx, orderId: string): Promise<Batch | null> {
  const [row] = await db
    .select({ batch: vendorBatches })
    .from(orders)
    .innerJoin(vendorBatches, eq(vendorBatches.id, orders.batchId))
    .where(eq(orders.id, orderId))
    .limit(1);
  return row?.batch ?? null;
}

/**
 * The request id an order was placed with at the vendor: its batch's (a rider's lead's), or
 * (orders made before batching) its own. Null while it waits in the pool.
 */
export async function placementRequestId(db: DbOrTx, orderId: string): Promise<string | null> {
  const [row] = await db.execute<{ own: string; batched: boolean; placed_as: string | null }>(sql`
    select o.vendor_request_id as own, o.batched, coalesce(l.vendor_request_id, b.vendor_request_id) as placed_as
    from ${orders} o
    left join ${vendorBatches} b on b.id = o.batch_id
    left join ${vendorBatches} l on l.id = b.placement_batch_id
    where o.id = ${orderId}`);
  if (!row) return null;
  return row.batched ? row.placed_as : row.own;
}

/** `batch` as the vendor knows it: a rider carries the request id it was placed under (its lead's). */
export async function asPlaced(db: DbOrTx, batch: Batch): Promise<Batch> {
  if (!batch.placementBatchId) return batch;
  const lead = await loadBatch(db, batch.placementBatchId);
  return { ...batch, vendorRequestId: lead.vendorRequestId };
}

/** Every line of the vendor order `batch` is in: its lead, then the riders (one line when it is alone). */
export async function placementLines(db: DbOrTx, batch: Batch): Promise<Batch[]> {
  const lead = batch.placementBatchId ? await loadBatch(db, batch.placementBatchId) : batch;
  return [lead, ...(await ridersOf(db, lead.id))];
}

/**
 * Takes a pending order out before its batch is sent, refunding it once: only while it waits in
 * the pool (no batch has fixed it yet). After that its cards may already be bought: false, and
 * nothing changes. (No partner-facing cancel exists; an admin or a later feature would call this.)
 */
export async function cancelBeforePlacement(db: Db, orderId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [o] = await tx
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.id, orderId), eq(orders.status, "pending"), eq(orders.batched, true), sql`${orders.batchId} is null`))
      .for("update");
    if (!o) return false;
    const r = await failOpenOrder(tx, orderId, "order_cancelled");
    return r.status === "failed";
  });
}
