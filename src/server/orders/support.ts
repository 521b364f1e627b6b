import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { compareAmounts } from "@/lib/money";
import type { Db, Tx } from "@/server/db/client";
import { recordAudit } from "@/server/audit";
import { ledgerAccounts, ledgerTransfers, orderCards, orders, partners, reconciliationIssues, vendorBatches } from "@/server/db/schema";
import { enqueueEvent, openRunExists } from "@/server/outbox";
import { lockOrderAccounts, refundOrder, reverseOrderRevenue } from "@/server/ledger";
import { listVendorCallsForOrderOrBatch } from "@/server/supplier/calls";
import { failOpenOrder, OWN_FAILURE_MESSAGES } from "./fulfil";
import { BATCH_FUNCTION_ID, FULFIL_FUNCTION_ID } from "./maintenance";
import { asPlaced } from "./batch";
import { requestPoll } from "./poller-hints";
import { presentOrder } from "./queries";
import { getOrderTimeline } from "./timeline";

/*
 * Order support for Steller's staff (admin dashboard): one order across partners, with its money,
 * cards (masked), vendor calls and timeline, and the actions on it. Each action runs in one
 * transaction with its audit entry, behind a lock on the order row, and never calls the vendor
 * from the request: it sends the order engine's events (src/server/jobs), whose functions place
 * under the stored request id and poll.
 */

export type SupportAction = "repoll" | "retry" | "refund" | "cancel";

export interface SupportActor {
  orderId: string;
  /** The admin's user id. */
  actor: string;
  ip?: string | null;
  reason?: string;
}

type OrderRow = typeof orders.$inferSelect;
type BatchRow = typeof vendorBatches.$inferSelect;

const OPEN = new Set(["pending", "processing"]);

/** What an action would do now, or why not (the page shows it before the admin confirms). */
interface Availability {
  allowed: boolean;
  why: string;
}

/**
 * Which actions the order's state allows, and the effect each has on the money (said before
 * confirming). The actions re-check the same rules under the order's lock.
 */
function availability(o: OrderRow, batch: BatchRow | null): Record<SupportAction, Availability> {
  const money = `${o.totalPrice} ${o.currency}`;
  const inPool = o.status === "pending" && o.batched && !o.batchId;
  const open = OPEN.has(o.status);
  const atVendor = batch ? batch.status === "placing" || batch.status === "placed" : !o.batched && o.status === "processing";
  return {
    repoll: atVendor
      ? { allowed: true, why: "Asks the vendor about its order now. No money moves; the answer settles the order as usual." }
      : { allowed: false, why: open ? "Not at the vendor yet: nothing to poll." : `The order is ${o.status}: nothing to poll.` },
    retry:
      o.status !== "pending"
        ? { allowed: false, why: o.status === "processing" ? "Already placed with the vendor: re-poll instead." : `The order is ${o.status}.` }
        : batch && batch.status !== "open" && batch.status !== "placing"
          ? { allowed: false, why: `Its vendor batch is ${batch.status}: re-poll instead.` }
          : {
              allowed: true,
              why: `Sends the placement again under the same vendor request id${batch ? ` (its batch's, ${batch.vendorRequestId})` : inPool ? " (its batch's, fixed when the batch closes)" : ` (${o.vendorRequestId})`}: the vendor never buys twice. No money moves.`,
            },
    refund:
      o.status === "failed"
        ? { allowed: false, why: `Already failed and refunded (${o.refundedAmount} ${o.currency}).` }
        : o.status === "completed" && compareAmounts(o.refundedAmount, "0") > 0
          ? { allowed: false, why: `Partly refunded when it completed (${o.refundedAmount} ${o.currency}): adjust the wallet instead.` }
          : {
              allowed: true,
              why:
                o.status === "completed"
                  ? `Refunds ${money} to the partner's ${o.environment} wallet and takes back the margin recognised as revenue; the order becomes failed. The vendor's cost stays with Steller.`
                  : `Refunds ${money} to the partner's ${o.environment} wallet and fails the order. If the vendor still delivers, reconciliation flags it and the cards are not given.`,
            },
    cancel: inPool
      ? { allowed: true, why: `Not yet placed with the vendor: the order is cancelled and ${money} goes back to the partner's ${o.environment} wallet.` }
      : {
          allowed: false,
          why: !open
            ? `The order is ${o.status}: only an order not yet placed can be cancelled.`
            : o.batchId
              ? `Already in vendor batch ${o.batchId}: it may be bought; cancelling is refused (mark failed and refund instead).`
              : o.status === "processing"
                ? "Already placed with the vendor: cancelling is refused (mark failed and refund instead)."
                : "Placed on its own: a placement may be in flight, so cancelling is refused (mark failed and refund instead).",
        },
  };
}

async function lockOrder(tx: Tx, orderId: string): Promise<{ order: OrderRow; batch: BatchRow | null }> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
  if (!order) throw new DomainError("order_not_found", `No order ${orderId}.`);
  const [batch] = order.batchId ? await tx.select().from(vendorBatches).where(eq(vendorBatches.id, order.batchId)) : [];
  return { order, batch: batch ? await asPlaced(tx, batch) : null };
}

function refuseUnless(a: Availability): void {
  if (!a.allowed) throw new DomainError("order_action_refused", a.why);
}

/** True when a run of the order's (or its batch's) function is queued, running or sleeping, or its event waits. */
async function runOpen(tx: Tx, o: OrderRow): Promise<boolean> {
  const check = o.batchId
    ? openRunExists(BATCH_FUNCTION_ID, sql`${o.batchId}::text`, { eventName: "order/batch.ready", dataField: "batchId" })
    : openRunExists(FULFIL_FUNCTION_ID, sql`${o.id}::text`, { eventName: "order/created", dataField: "orderId" });
  const [row] = await tx.execute<{ open: boolean }>(sql`select ${check} as open`);
  return Boolean(row?.open);
}

const snapshot = (o: OrderRow) => ({ status: o.status, refundedAmount: o.refundedAmount, batchId: o.batchId, updatedAt: o.updatedAt.toISOString() });

/**
 * Re-poll: the vendor is asked about the order's vendor order now. A batched order's batch is made
 * due now and its environment's poller woken (and, without the shared poller, the batch's function
 * re-driven unless a run of it is open); an order placed on its own gets a new fulfil run unless one
 * is open (that run polls on its schedule). No money moves.
 */
export async function repollOrder(db: Db, input: SupportActor) {
  return db.transaction(async (tx) => {
    const { order: o, batch } = await lockOrder(tx, input.orderId);
    refuseUnless(availability(o, batch).repoll);
    const open = await runOpen(tx, o);
    const at = Date.now();
    if (batch) {
      await tx.update(vendorBatches).set({ nextPollAt: new Date() }).where(eq(vendorBatches.id, batch.id));
      await requestPoll(tx, batch.environment, `admin-repoll:${batch.id}:${at}`);
      // A rider is sent and polled by its lead's run.
      const runs = batch.placementBatchId ?? batch.id;
      if (!open) await enqueueEvent(tx, { name: "order/batch.ready", data: { batchId: runs }, id: `admin-repoll:${runs}:${at}` });
    } else if (!open) {
      await enqueueEvent(tx, { name: "order/created", data: { orderId: o.id }, id: `admin-repoll:${o.id}:${at}` });
    }
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: o.partnerId,
      action: "order.repoll",
      targetType: "order",
      targetId: o.id,
      reason: input.reason ?? null,
      ip: input.ip ?? null,
      metadata: { batchId: batch?.id ?? null, vendorRequestId: batch?.vendorRequestId ?? o.vendorRequestId, runAlreadyOpen: open },
    });
    return { orderId: o.id, batchId: batch?.id ?? null, runAlreadyOpen: open };
  });
}

/**
 * Retry placement, under the same vendor request id (the order's, or its batch's): the order's
 * fulfil run (or its batch's run) is sent again; it re-sends the stored request id, so the vendor
 * answers OrderAlreadyExists rather than buying twice. Refused once the vendor has accepted it
 * (re-poll instead) and while a run is open (it retries by itself).
 */
export async function retryPlacement(db: Db, input: SupportActor) {
  return db.transaction(async (tx) => {
    const { order: o, batch } = await lockOrder(tx, input.orderId);
    refuseUnless(availability(o, batch).retry);
    if (await runOpen(tx, o)) {
      throw new DomainError("order_action_refused", "Its placement run is still open (queued, running or waiting to retry): it retries by itself.");
    }
    const at = Date.now();
    const vendorRequestId = batch ? batch.vendorRequestId : o.batched ? null : o.vendorRequestId;
    const runs = batch ? (batch.placementBatchId ?? batch.id) : null;
    if (runs) await enqueueEvent(tx, { name: "order/batch.ready", data: { batchId: runs }, id: `admin-retry:${runs}:${at}` });
    else await enqueueEvent(tx, { name: "order/created", data: { orderId: o.id }, id: `admin-retry:${o.id}:${at}` });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: o.partnerId,
      action: "order.retry_placement",
      targetType: "order",
      targetId: o.id,
      reason: input.reason ?? null,
      ip: input.ip ?? null,
      metadata: { batchId: batch?.id ?? null, vendorRequestId },
    });
    return { orderId: o.id, batchId: batch?.id ?? null, vendorRequestId };
  });
}

/**
 * Mark failed and refund, exactly once (the order row is locked; a second click finds it failed and
 * is refused, writing nothing). An open order is failed and refunded in full as the engine does it;
 * a completed one is refunded in full, its recognised margin reversed (`reverseOrderRevenue`), and
 * becomes failed. A completed order partly refunded at completion is refused (its refund exists).
 */
export async function refundOrderBySupport(db: Db, input: SupportActor & { reason: string }) {
  return db.transaction(async (tx) => {
    const { order: o, batch } = await lockOrder(tx, input.orderId);
    refuseUnless(availability(o, batch).refund);
    let revenueReversed: string | null = null;
    if (OPEN.has(o.status)) {
      await failOpenOrder(tx, o.id, "refunded_by_admin");
    } else {
      // The refund, the margin's reversal and the commission's: their accounts locked at once, in the ledger's lock order.
      await lockOrderAccounts(tx, { refunding: [o.id] });
      await refundOrder(tx, { orderId: o.id, actor: input.actor, reason: input.reason });
      const reversed = await reverseOrderRevenue(tx, { orderId: o.id, actor: input.actor, reason: input.reason });
      revenueReversed = reversed ? reversed.reversal.amount : null;
      await tx
        .update(orders)
        .set({
          status: "failed",
          failureCode: "refunded_by_admin",
          failureMessage: OWN_FAILURE_MESSAGES.refunded_by_admin,
          refundedAmount: sql`${orders.totalPrice}`,
          updatedAt: new Date(),
        })
        .where(and(eq(orders.id, o.id), eq(orders.status, "completed")));
      await enqueueEvent(tx, { name: "order/failed", data: { orderId: o.id, reason: "refunded_by_admin" }, id: `order-failed:${o.id}` });
    }
    const [after] = await tx.select().from(orders).where(eq(orders.id, o.id));
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: o.partnerId,
      action: "order.refunded",
      targetType: "order",
      targetId: o.id,
      reason: input.reason,
      ip: input.ip ?? null,
      before: snapshot(o),
      after: after ? snapshot(after) : null,
      metadata: { amount: o.totalPrice, currency: o.currency, environment: o.environment, revenueReversed },
    });
    return { orderId: o.id, refunded: o.totalPrice, currency: o.currency, revenueReversed };
  });
}

/**
 * Cancel a pending order: only while it waits in the pool (no vendor batch has fixed it, so nothing
 * was sent): failed as cancelled and refunded once. Otherwise refused and nothing moves.
 */
export async function cancelPendingOrder(db: Db, input: SupportActor & { reason: string }) {
  return db.transaction(async (tx) => {
    const { order: o, batch } = await lockOrder(tx, input.orderId);
    refuseUnless(availability(o, batch).cancel);
    await failOpenOrder(tx, o.id, "order_cancelled");
    const [after] = await tx.select().from(orders).where(eq(orders.id, o.id));
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: o.partnerId,
      action: "order.cancelled",
      targetType: "order",
      targetId: o.id,
      reason: input.reason,
      ip: input.ip ?? null,
      before: snapshot(o),
      after: after ? snapshot(after) : null,
      metadata: { amount: o.totalPrice, currency: o.currency, environment: o.environment },
    });
    return { orderId: o.id, refunded: o.totalPrice, currency: o.currency };
  });
}

/**
 * Everything about one order for support: the order (with its internal fields), its partner, its
 * vendor batch, the ledger transfers it caused (debit, refund, revenue and its reversal), its cards
 * masked (no code or PIN leaves the database), the vendor calls made for it or its batch (bodies
 * masked when recorded), its timeline, open reconciliation issues, and which actions apply now.
 */
export async function getOrderSupportDetail(db: Db, orderId: string) {
  const [row] = await db
    .select({ order: orders, partnerName: partners.businessName })
    .from(orders)
    .innerJoin(partners, eq(partners.id, orders.partnerId))
    .where(eq(orders.id, orderId))
    .limit(1);
  if (!row) return null;
  const o = row.order;
  const [inBatch] = o.batchId ? await db.select().from(vendorBatches).where(eq(vendorBatches.id, o.batchId)) : [];
  const batch = inBatch ? await asPlaced(db, inBatch) : undefined;
  const transfers = await db
    .select({
      id: ledgerTransfers.id,
      kind: ledgerTransfers.kind,
      amount: ledgerTransfers.amount,
      currency: ledgerTransfers.currency,
      actor: ledgerTransfers.actor,
      createdAt: ledgerTransfers.createdAt,
      debitKind: sql<string>`(select ${ledgerAccounts.kind}::text from ${ledgerAccounts} where ${ledgerAccounts.id} = ${ledgerTransfers.debitAccountId})`,
      creditKind: sql<string>`(select ${ledgerAccounts.kind}::text from ${ledgerAccounts} where ${ledgerAccounts.id} = ${ledgerTransfers.creditAccountId})`,
    })
    .from(ledgerTransfers)
    .where(and(eq(ledgerTransfers.reference, o.id), inArray(ledgerTransfers.kind, ["order_debit", "order_refund", "order_revenue", "order_revenue_reversal"])))
    .orderBy(asc(ledgerTransfers.createdAt));
  const cards = await db
    .select({
      position: orderCards.position,
      serialNumber: orderCards.serialNumber,
      faceValue: orderCards.faceValue,
      currency: orderCards.currency,
      expiresAt: orderCards.expiresAt,
    })
    .from(orderCards)
    .where(eq(orderCards.orderId, o.id))
    .orderBy(asc(orderCards.position));
  const calls = await listVendorCallsForOrderOrBatch(db, {
    orderIds: batch ? [o.id, batch.id, ...(batch.placementBatchId ? [batch.placementBatchId] : [])] : [o.id],
    requestIds: batch ? [o.vendorRequestId, batch.vendorRequestId] : [o.vendorRequestId],
  });
  const issues = await db.select().from(reconciliationIssues).where(eq(reconciliationIssues.orderId, o.id)).orderBy(asc(reconciliationIssues.createdAt));
  const timeline = (await getOrderTimeline(db, { partnerId: o.partnerId, environment: o.environment, orderId: o.id })) ?? [];
  const actions = availability(o, batch ?? null);
  return {
    order: {
      ...presentOrder(o),
      partnerId: o.partnerId,
      partnerName: row.partnerName,
      source: o.source,
      vendorRequestId: o.vendorRequestId,
      vendorOrderId: o.vendorOrderId,
      vendorStatus: o.vendorStatus,
      vendorCost: o.vendorCost,
      settledCost: o.settledCost,
      pollCount: o.pollCount,
      batched: o.batched,
      placedAt: o.placedAt?.toISOString() ?? null,
    },
    batch: batch
      ? {
          id: batch.id,
          status: batch.status,
          vendorRequestId: batch.vendorRequestId,
          members: batch.members,
          quantity: batch.quantity,
          placedAt: batch.placedAt?.toISOString() ?? null,
        }
      : null,
    money: transfers.map((t) => ({ ...t, createdAt: t.createdAt.toISOString() })),
    cards: cards.map((c) => ({ ...c, code: "••••••••", pin: "••••" })),
    vendorCalls: calls.map((c) => ({
      id: c.id,
      kind: c.kind,
      method: c.method,
      endpoint: c.endpoint,
      attempt: c.attempt,
      status: c.status,
      durationMs: c.durationMs,
      requestId: c.requestId,
      requestBody: c.requestBody,
      responseBody: c.responseBody,
      errorKind: c.errorKind,
      error: c.error,
      startedAt: c.startedAt.toISOString(),
    })),
    reconciliationIssues: issues.map((i) => ({
      id: i.id,
      kind: i.kind,
      detail: i.detail,
      createdAt: i.createdAt.toISOString(),
      resolvedAt: i.resolvedAt?.toISOString() ?? null,
    })),
    timeline,
    actions,
  };
}
