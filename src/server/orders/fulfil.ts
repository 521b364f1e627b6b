import DecimalBase from "decimal.js";
import { and, eq, inArray, sql } from "drizzle-orm";
import { encryptSecret } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import type { Db } from "@/server/db/client";
import { catalogProducts, orderCards, orders } from "@/server/db/schema";
import { enqueueEvent } from "@/server/jobs/outbox";
import { refundOrder } from "@/server/ledger";
import { VENDOR_FAILURES, type VendorFailureCode, type VendorOrder } from "@/server/vendor/bamboo";
import type { OrderRuntime } from "./runtime";

const Decimal = DecimalBase.clone({ precision: 40 });

export type StepResult = { orderId: string; status: "pending" | "processing" | "completed" | "failed"; done: boolean };

const OPEN = ["pending", "processing"] as const;

async function loadOrder(db: Db, orderId: string) {
  const [row] = await db
    .select({ order: orders, vendorProductId: catalogProducts.vendorProductId })
    .from(orders)
    .innerJoin(catalogProducts, eq(catalogProducts.id, orders.productId))
    .where(eq(orders.id, orderId))
    .limit(1);
  if (!row) throw new Error(`order ${orderId} not found`);
  return row;
}

const result = (orderId: string, status: StepResult["status"]): StepResult => ({
  orderId,
  status,
  done: status === "completed" || status === "failed",
});

/**
 * Places a pending order with the vendor under its stored request id (so a retry never buys
 * twice). Accepted → processing; refused → failed and refunded. When the answer is unknown
 * (timeouts, 5xx after the client's retries) it throws, so the step is retried with the same id.
 */
export async function placeWithVendor(rt: OrderRuntime, orderId: string): Promise<StepResult> {
  const { order, vendorProductId } = await loadOrder(rt.db, orderId);
  if (order.status !== "pending") return result(orderId, order.status);
  const outcome = await rt.vendorFor(order.environment).placeOrder({
    requestId: order.vendorRequestId,
    productId: Number.parseInt(vendorProductId, 10),
    quantity: order.quantity,
    faceValue: order.faceValue,
    orderId,
  });
  if (outcome.status === "unknown") throw outcome.error;
  if (outcome.status === "rejected") return failOrder(rt.db, orderId, outcome.code);
  await rt.db
    .update(orders)
    .set({ status: "processing", placedAt: new Date(), updatedAt: new Date(), vendorStatus: "Created" })
    .where(and(eq(orders.id, orderId), eq(orders.status, "pending")));
  return result(orderId, "processing");
}

/** Asks the vendor how the order is doing and settles it when the vendor has finished. */
export async function pollVendor(rt: OrderRuntime, orderId: string): Promise<StepResult> {
  const { order } = await loadOrder(rt.db, orderId);
  if (order.status !== "processing" && order.status !== "pending") return result(orderId, order.status);
  const vendorOrder = await rt.vendorFor(order.environment).getOrder(order.vendorRequestId, { orderId });
  if (!vendorOrder || vendorOrder.state === "pending") {
    await rt.db
      .update(orders)
      .set({ pollCount: sql`${orders.pollCount} + 1`, vendorStatus: vendorOrder?.vendorStatus ?? null, updatedAt: new Date() })
      .where(and(eq(orders.id, orderId), inArray(orders.status, [...OPEN])));
    return result(orderId, order.status);
  }
  if (vendorOrder.state === "failed" || vendorOrder.cards.length === 0) {
    return failOrder(rt.db, orderId, vendorOrder.failureCode ?? "vendor_order_failed", vendorOrder.vendorStatus);
  }
  return completeOrder(rt, orderId, vendorOrder);
}

/**
 * Stores the delivered cards (code and PIN encrypted) and completes the order; when fewer cards
 * came than were paid for, refunds the difference, once. A re-run changes nothing.
 */
export async function completeOrder(rt: OrderRuntime, orderId: string, vendorOrder: VendorOrder): Promise<StepResult> {
  return rt.db.transaction(async (tx) => {
    const [order] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.id, orderId), inArray(orders.status, [...OPEN])))
      .for("update");
    if (!order) {
      const [now] = await tx.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
      return result(orderId, now?.status ?? "failed");
    }
    const cards = vendorOrder.cards.slice(0, order.quantity);
    await tx
      .insert(orderCards)
      .values(
        cards.map((c, position) => ({
          id: newId("crd"),
          orderId,
          partnerId: order.partnerId,
          position,
          vendorCardId: c.vendorCardId,
          codeEncrypted: encryptSecret(c.code, rt.encryptionKey),
          pinEncrypted: c.pin ? encryptSecret(c.pin, rt.encryptionKey) : null,
          serialNumber: c.serialNumber,
          faceValue: order.faceValue,
          currency: order.faceCurrency,
          expiresAt: c.expiresAt,
        })),
      )
      .onConflictDoNothing({ target: [orderCards.orderId, orderCards.position] });
    const missing = order.quantity - cards.length;
    let refunded = "0";
    if (missing > 0) {
      refunded = new Decimal(order.unitPrice).times(missing).toFixed(4);
      await refundOrder(tx, { orderId, amount: refunded, reason: `partial fulfilment: ${missing} of ${order.quantity} cards not delivered` });
    }
    await tx
      .update(orders)
      .set({
        status: "completed",
        cardsDelivered: cards.length,
        refundedAmount: refunded,
        vendorOrderId: vendorOrder.vendorOrderId,
        vendorStatus: vendorOrder.vendorStatus,
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(orders.id, orderId));
    await enqueueEvent(tx, { name: "order/completed", data: { orderId }, id: `order-completed:${orderId}` });
    return result(orderId, "completed");
  });
}

/** Fails an open order and refunds everything it cost, exactly once. */
export async function failOrder(db: Db, orderId: string, code: VendorFailureCode, vendorStatus?: string): Promise<StepResult> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .update(orders)
      .set({
        status: "failed",
        failureCode: code,
        failureMessage: VENDOR_FAILURES[code]?.message ?? "The order could not be fulfilled.",
        refundedAmount: sql`${orders.totalPrice}`,
        vendorStatus: vendorStatus ?? null,
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(and(eq(orders.id, orderId), inArray(orders.status, [...OPEN])))
      .returning({ id: orders.id });
    if (!order) {
      const [now] = await tx.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
      return result(orderId, now?.status ?? "failed");
    }
    await refundOrder(tx, { orderId, reason: `order failed: ${code}` });
    await enqueueEvent(tx, { name: "order/failed", data: { orderId, reason: code }, id: `order-failed:${orderId}` });
    return result(orderId, "failed");
  });
}
