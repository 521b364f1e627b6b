import { and, eq, gte, inArray, isNotNull, isNull, lt, not, or, type SQL, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { Db, Tx } from "@/server/db/client";
import { recordAudit } from "@/server/audit";
import { consistencyChecks, orders, reconciliationIssues, vendorBatches } from "@/server/db/schema";
import { enqueueEvent, openRunExists } from "@/server/outbox";
import { checkInvariants } from "@/server/ledger";
import { VendorError } from "@/server/supplier/bamboo";
import { lineAnswer, placementLines } from "./batch";
import type { OrderRuntime } from "./runtime";

/** The fulfil function's id as the executor stores it (app id "steller" + "order-fulfil"). */
export const FULFIL_FUNCTION_ID = "steller-order-fulfil";
/** The vendor batch's function (app id "steller" + "order-batch"). */
export const BATCH_FUNCTION_ID = "steller-order-batch";

interface RedriveOptions {
  staleAfterMs: number;
  limit?: number;
  /** Only orders created in [createdFrom, createdTo) (and batches with such a member): the admin's backfill by date range. */
  createdFrom?: Date;
  createdTo?: Date;
  /** An admin's backfill: its audit entry is written in the re-drive's transaction. */
  audit?: { actor: string; ip?: string | null; reason?: string | null };
}

/**
 * Backfill: orders left pending or processing for longer than `staleAfterMs` (a run that
 * crashed, gave up polling, or lost its event) get a new `order/created` event: an order waiting
 * in the pool queues again (opening a batch if none is open), an order made before batching is
 * placed or polled on its own. An order already in a vendor batch is never re-placed on its own:
 * its batch is re-driven (`redriveStuckBatches`), which re-sends the batch's stored request id or
 * polls it. The functions are idempotent, so a re-drive never buys or refunds twice. Returns the
 * orders whose fulfilment was re-driven (members of a re-driven batch included). With a date range
 * only orders created in it are re-driven (an admin's backfill, audited in the same transaction).
 * Rows are claimed with SKIP LOCKED, orders then batches, in one transaction.
 */
export async function redriveStuckOrders(db: Db, opts: RedriveOptions): Promise<string[]> {
  return db.transaction(async (tx) => {
    const created: SQL[] = [];
    if (opts.createdFrom) created.push(gte(orders.createdAt, opts.createdFrom));
    if (opts.createdTo) created.push(lt(orders.createdAt, opts.createdTo));
    const stale = await tx
      .update(orders)
      .set({ updatedAt: new Date() })
      .where(
        inArray(
          orders.id,
          tx
            .select({ id: orders.id })
            .from(orders)
            .where(
              and(
                inArray(orders.status, ["pending", "processing"]),
                lt(orders.updatedAt, new Date(Date.now() - opts.staleAfterMs)),
                ...created,
                // In a vendor batch: the batch is re-driven instead.
                isNull(orders.batchId),
                // Not while its fulfil run is still queued, running or sleeping (or about to start).
                not(openRunExists(FULFIL_FUNCTION_ID, orders.id, { eventName: "order/created", dataField: "orderId" })),
                // Waiting in the pool while an open batch of its product gathers (that batch's run will take it).
                not(sql`(${orders.batched} and exists (
                  select 1 from ${vendorBatches} b
                  where b.status = 'open' and b.environment = ${orders.environment} and b.face_value = ${orders.faceValue}
                    and b.vendor_product_id = (select c.vendor_product_id from catalog_products c where c.id = ${orders.productId})
                    and ${openRunExists(BATCH_FUNCTION_ID, sql`b.id`, { eventName: "order/batch.ready", dataField: "batchId" })}))`),
              ),
            )
            .orderBy(orders.updatedAt)
            .limit(opts.limit ?? 500)
            .for("update", { skipLocked: true }),
        ),
      )
      .returning({ id: orders.id });
    if (stale.length) {
      const at = Date.now();
      await enqueueEvent(
        tx,
        stale.map((o) => ({ name: "order/created" as const, data: { orderId: o.id }, id: `order-redrive:${o.id}:${at}` })),
      );
    }
    const own = stale.map((o) => o.id);
    const batches = await redriveStuckBatches(tx, opts);
    const members = batches.length
      ? await tx
          .select({ id: orders.id })
          .from(orders)
          .where(and(inArray(orders.batchId, batches), inArray(orders.status, ["pending", "processing"])))
      : [];
    const ids = [...own, ...members.map((m) => m.id)];
    if (opts.audit) {
      await recordAudit(tx, {
        actor: opts.audit.actor,
        action: "orders.backfill",
        targetType: "orders",
        reason: opts.audit.reason ?? null,
        ip: opts.audit.ip ?? null,
        metadata: {
          createdFrom: opts.createdFrom?.toISOString() ?? null,
          createdTo: opts.createdTo?.toISOString() ?? null,
          staleAfterMs: opts.staleAfterMs,
          orders: ids.length,
          batches,
          orderIds: ids.slice(0, 100),
        },
      });
    }
    return ids;
  });
}

/**
 * Vendor batches left open, placing or placed for longer than `staleAfterMs` with no run of their
 * function queued, running or sleeping get a new `order/batch.ready` event: the batch's function
 * takes it from where it stands (closes it, re-sends its stored request id — `OrderAlreadyExists`
 * is placed —, or polls it). With a date range, only batches with a member created in it. Returns the batch ids.
 */
async function redriveStuckBatches(tx: Tx, opts: RedriveOptions): Promise<string[]> {
  const inRange =
    opts.createdFrom || opts.createdTo
      ? [
          sql`exists (select 1 from ${orders} m where m.batch_id = ${vendorBatches.id}
            ${opts.createdFrom ? sql`and m.created_at >= ${opts.createdFrom.toISOString()}::timestamptz` : sql``}
            ${opts.createdTo ? sql`and m.created_at < ${opts.createdTo.toISOString()}::timestamptz` : sql``})`,
        ]
      : [];
  const stale = await tx
    .update(vendorBatches)
    .set({ updatedAt: new Date() })
    .where(
      inArray(
        vendorBatches.id,
        tx
          .select({ id: vendorBatches.id })
          .from(vendorBatches)
          .where(
            and(
              inArray(vendorBatches.status, ["open", "placing", "placed"]),
              lt(vendorBatches.updatedAt, new Date(Date.now() - opts.staleAfterMs)),
              ...inRange,
              not(openRunExists(BATCH_FUNCTION_ID, vendorBatches.id, { eventName: "order/batch.ready", dataField: "batchId" })),
            ),
          )
          .orderBy(vendorBatches.updatedAt)
          .limit(opts.limit ?? 500)
          .for("update", { skipLocked: true }),
      ),
    )
    .returning({ id: vendorBatches.id });
  if (stale.length) {
    const at = Date.now();
    await enqueueEvent(
      tx,
      stale.map((b) => ({ name: "order/batch.ready" as const, data: { batchId: b.id }, id: `batch-redrive:${b.id}:${at}` })),
    );
  }
  return stale.map((b) => b.id);
}

type Finding = { orderId: string; vendorRequestId: string; kind: string; ourStatus: string; vendorStatus: string | null; detail: string };

/**
 * Reconciliation: asks the vendor about our finished orders of the window, and records each
 * disagreement for admins (once per order and kind while unresolved). Failed orders are asked
 * about too when they failed before `placedAt` was set (refused at placement): if the vendor has
 * the order after all, it bought cards we refunded. An order the vendor does not know is only a
 * finding when the vendor had accepted it. Orders of a vendor batch are checked once per batch
 * (one get-order by the batch's request id), each member against its share of the vendor's cards. One vendor error stops the pass (the rest
 * wait for the next run) rather than failing it: the orders checked so far keep their findings.
 */
export async function reconcileWithVendor(rt: OrderRuntime, opts: { since: Date; limit?: number }) {
  const candidates = await rt.db
    .select()
    .from(orders)
    .where(and(inArray(orders.status, ["failed", "completed"]), or(isNotNull(orders.placedAt), eq(orders.status, "failed")), gte(orders.createdAt, opts.since)))
    .orderBy(orders.createdAt)
    .limit(opts.limit ?? 100);
  let flagged = 0;
  let checked = 0;
  let error: string | null = null;
  const seenBatches = new Set<string>();
  const record = async (f: Finding) => {
    const inserted = await rt.db
      .insert(reconciliationIssues)
      .values({ id: newId("rec"), ...f })
      .onConflictDoNothing()
      .returning({ id: reconciliationIssues.id });
    flagged += inserted.length;
  };
  for (const order of candidates) {
    // Never sent: taken out of the pool before any batch carried it.
    if (order.batched && !order.batchId) continue;
    if (order.batchId && seenBatches.has(order.batchId)) continue;
    let findings: Finding[];
    try {
      findings = order.batchId ? await checkBatch(rt, order.batchId) : [await checkOrder(rt, order)].filter((f): f is Finding => f !== null);
    } catch (e) {
      if (!(e instanceof VendorError)) throw e;
      error = e.message;
      break;
    }
    if (order.batchId) seenBatches.add(order.batchId);
    checked++;
    for (const f of findings) await record(f);
  }
  return { candidates: candidates.length, checked, flagged, ...(error ? { stoppedBy: error } : {}) };
}

async function checkOrder(rt: OrderRuntime, order: typeof orders.$inferSelect): Promise<Finding | null> {
  const vendor = await rt.vendorFor(order.environment).getOrder(order.vendorRequestId, { orderId: order.id });
  let kind: string | null = null;
  if (!vendor) kind = order.placedAt ? "vendor_missing" : null;
  else if (order.status === "failed" && (vendor.state === "succeeded" || vendor.state === "partial")) kind = "vendor_succeeded_we_failed";
  else if (order.status === "completed" && vendor.state === "failed") kind = "status_mismatch";
  else if (order.status === "completed" && vendor.cards.length !== order.cardsDelivered) kind = "card_count_mismatch";
  if (!kind) return null;
  return {
    orderId: order.id,
    vendorRequestId: order.vendorRequestId,
    kind,
    ourStatus: order.status,
    vendorStatus: vendor?.vendorStatus ?? null,
    detail: vendor
      ? `vendor has ${vendor.cards.length} card(s); we have ${order.cardsDelivered}${order.placedAt ? "" : " (we failed it at placement)"}`
      : "the vendor does not know this request id",
  };
}

/**
 * A finished vendor batch against the vendor, member by member: each member's share of the
 * vendor's cards is what the settlement gives it (the cards in order, oldest member first), so a
 * member failed while its share was delivered, completed while the vendor failed, or holding
 * another number of cards than its share is a finding. Nothing while the batch is still open.
 */
async function checkBatch(rt: OrderRuntime, batchId: string): Promise<Finding[]> {
  const [batch] = await rt.db.select().from(vendorBatches).where(eq(vendorBatches.id, batchId));
  if (!batch || (batch.status !== "settled" && batch.status !== "failed")) return [];
  const members = await rt.db.select().from(orders).where(eq(orders.batchId, batchId)).orderBy(orders.createdAt, orders.id);
  // A batch that was one line of a vendor order of several is checked against its line.
  const lines = await placementLines(rt.db, batch);
  const requestId = lines[0]!.vendorRequestId;
  const answer = await rt.vendorFor(batch.environment).getOrder(requestId, { orderId: batchId });
  const vendor = answer && lineAnswer(answer, batch, lines, null);
  const findings: Finding[] = [];
  let offset = 0;
  for (const m of members) {
    const share = vendor ? Math.max(0, Math.min(m.quantity, vendor.cards.length - offset)) : 0;
    offset += m.quantity;
    let kind: string | null = null;
    if (!vendor) kind = m.placedAt ? "vendor_missing" : null;
    else if (m.status === "failed" && share > 0) kind = "vendor_succeeded_we_failed";
    else if (m.status === "completed" && vendor.state === "failed") kind = "status_mismatch";
    else if (m.status === "completed" && share !== m.cardsDelivered) kind = "card_count_mismatch";
    if (!kind) continue;
    findings.push({
      orderId: m.id,
      vendorRequestId: requestId,
      kind,
      ourStatus: m.status,
      vendorStatus: vendor?.vendorStatus ?? null,
      detail: vendor
        ? `vendor batch ${batchId}: this order's share of the vendor's ${vendor.cards.length} card(s) is ${share}; it has ${m.cardsDelivered}${m.placedAt ? "" : " (we failed it at placement)"}`
        : `vendor batch ${batchId}: the vendor does not know its request id`,
    });
  }
  return findings;
}

/** Ledger consistency: runs checkInvariants (balances, transfers, revenue per order), records the result, and alerts admins on drift. */
export async function recordLedgerConsistency(db: Db) {
  const report = await checkInvariants(db);
  const id = newId("chk");
  await db.insert(consistencyChecks).values({
    id,
    ok: report.ok,
    driftAccounts: report.drift.length,
    report: report as unknown as Record<string, unknown>,
  });
  if (!report.ok) {
    await recordAudit(db, {
      actor: "system:ledger-consistency",
      action: "alert.ledger_inconsistent",
      targetType: "consistency_check",
      targetId: id,
      metadata: {
        driftAccounts: report.drift.length,
        unbalancedTransfers: report.unbalancedTransfers.length,
        revenueMismatches: report.revenueMismatches.length,
      },
    });
    console.error(
      `[ledger] consistency check ${id} found drift on ${report.drift.length} account(s), ${report.revenueMismatches.length} order(s) with revenue other than their margin`,
    );
  }
  return { id, ...report };
}
