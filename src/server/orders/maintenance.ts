import { and, eq, gte, inArray, isNotNull, lt, not, or, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { Db } from "@/server/db/client";
import { recordAudit } from "@/server/audit";
import { consistencyChecks, orders, reconciliationIssues } from "@/server/db/schema";
import { enqueueEvent } from "@/server/outbox";
import { openRunExists } from "@/server/jobs/runs";
import { checkInvariants } from "@/server/ledger";
import { VendorError } from "@/server/supplier/bamboo";
import type { OrderRuntime } from "./runtime";

/** The fulfil function's id as the executor stores it (app id "steller" + "order-fulfil"). */
const FULFIL_FUNCTION_ID = "steller-order-fulfil";

/**
 * Backfill: orders left pending or processing for longer than `staleAfterMs` (a run that
 * crashed, gave up polling, or lost its event) get a new `order/created` event. The fulfil
 * function is idempotent, so a re-drive never buys or refunds twice.
 */
export async function redriveStuckOrders(db: Db, opts: { staleAfterMs: number; limit?: number }): Promise<string[]> {
  return db.transaction(async (tx) => {
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
                // Not while its fulfil run is still queued, running or sleeping (or about to start).
                not(openRunExists(FULFIL_FUNCTION_ID, orders.id, { eventName: "order/created", dataField: "orderId" })),
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
    return stale.map((o) => o.id);
  });
}

/**
 * Reconciliation: asks the vendor about our finished orders of the window, and records each
 * disagreement for admins (once per order and kind while unresolved). Failed orders are asked
 * about too when they failed before `placedAt` was set (refused at placement): if the vendor has
 * the order after all, it bought cards we refunded. An order the vendor does not know is only a
 * finding when the vendor had accepted it. One vendor error stops the pass (the rest wait for
 * the next run) rather than failing it: the orders checked so far keep their findings.
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
  for (const order of candidates) {
    let vendor;
    try {
      vendor = await rt.vendorFor(order.environment).getOrder(order.vendorRequestId, { orderId: order.id });
    } catch (e) {
      if (!(e instanceof VendorError)) throw e;
      error = e.message;
      break;
    }
    checked++;
    let kind: string | null = null;
    if (!vendor) kind = order.placedAt ? "vendor_missing" : null;
    else if (order.status === "failed" && (vendor.state === "succeeded" || vendor.state === "partial")) kind = "vendor_succeeded_we_failed";
    else if (order.status === "completed" && vendor.state === "failed") kind = "status_mismatch";
    else if (order.status === "completed" && vendor.cards.length !== order.cardsDelivered) kind = "card_count_mismatch";
    if (!kind) continue;
    const inserted = await rt.db
      .insert(reconciliationIssues)
      .values({
        id: newId("rec"),
        orderId: order.id,
        vendorRequestId: order.vendorRequestId,
        kind,
        ourStatus: order.status,
        vendorStatus: vendor?.vendorStatus ?? null,
        detail: vendor
          ? `vendor has ${vendor.cards.length} card(s); we have ${order.cardsDelivered}${order.placedAt ? "" : " (we failed it at placement)"}`
          : "the vendor does not know this request id",
      })
      .onConflictDoNothing()
      .returning({ id: reconciliationIssues.id });
    flagged += inserted.length;
  }
  return { candidates: candidates.length, checked, flagged, ...(error ? { stoppedBy: error } : {}) };
}

/** Ledger consistency: runs checkInvariants, records the result, and alerts admins on drift. */
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
      metadata: { driftAccounts: report.drift.length, unbalancedTransfers: report.unbalancedTransfers.length },
    });
    console.error(`[ledger] consistency check ${id} found drift on ${report.drift.length} account(s)`);
  }
  return { id, ...report };
}

/** The latest unresolved reconciliation findings (admin view). */
export async function listOpenReconciliationIssues(db: Db) {
  return db.select().from(reconciliationIssues).where(sql`${reconciliationIssues.resolvedAt} is null`).orderBy(reconciliationIssues.createdAt);
}

