import DecimalBase from "decimal.js";
import { and, eq, inArray, sql } from "drizzle-orm";
import { encryptSecret } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import type { Currency } from "@/lib/money";
import type { Db, Tx } from "@/server/db/client";
import { catalogProducts, orderCards, orders, reconciliationIssues } from "@/server/db/schema";
import { enqueueEvent } from "@/server/outbox";
import { ensureRevenueShards, lockOrderAccounts, recognizeOrderRevenue, refundOrder } from "@/server/ledger";
import { VENDOR_FAILURES, VendorError, type VendorFailureCode, type VendorOrder } from "@/server/supplier/bamboo";
import { deliveredCost } from "./cost";
import type { OrderRuntime } from "./runtime";

const Decimal = DecimalBase.clone({ precision: 40 });

export type StepResult = {
  orderId: string;
  status: "pending" | "processing" | "completed" | "failed";
  done: boolean;
  /** The order stays open for an admin: what the vendor delivered does not match it. */
  attention?: string;
};

const OPEN = ["pending", "processing"] as const;

/** Why an order failed: a vendor's refusal or failure, a cancellation before it was placed, or an admin's refund (order support). */
export type OrderFailureCode = VendorFailureCode | "order_cancelled" | "refunded_by_admin";

/** The partner-facing message of a failure of ours (not the vendor's). */
export const OWN_FAILURE_MESSAGES = {
  order_cancelled: "The order was cancelled before it was placed.",
  refunded_by_admin: "The order was marked failed and refunded by Steller support.",
} as const;

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

/** Answers that came from something (the vendor or a gateway in front of it) but say nothing we can trust. */
export const ODD_ANSWERS = new Set(["unauthorized", "unexpected_status", "malformed_response"]);

/**
 * Places a pending order with the vendor under its stored request id (so a retry never buys
 * twice). Accepted → processing; refused (a documented refusal only) → failed and refunded.
 * When the answer is unknown it throws, so the step is retried with the same id, and never
 * refunds: timeouts and 5xx are settled by that retry (the vendor answers OrderAlreadyExists if it
 * has the order); after an odd answer (401, 403, 404, 409, a gateway's page, a malformed body) the
 * order is first re-checked by its request id, and one the vendor has goes on to be polled.
 */
export async function placeWithVendor(rt: OrderRuntime, orderId: string): Promise<StepResult> {
  const { order, vendorProductId } = await loadOrder(rt.db, orderId);
  if (order.status !== "pending") return result(orderId, order.status);
  const vendor = rt.vendorFor(order.environment);
  const outcome = await vendor.placeOrder({
    requestId: order.vendorRequestId,
    productId: Number.parseInt(vendorProductId, 10),
    quantity: order.quantity,
    faceValue: order.faceValue,
    orderId,
  });
  if (outcome.status === "rejected") return failOrder(rt.db, orderId, outcome.code);
  let vendorStatus = "Created";
  if (outcome.status === "unknown") {
    const known = ODD_ANSWERS.has(outcome.error.kind) ? await recheck(rt, order.environment, order.vendorRequestId, orderId) : null;
    if (!known) throw outcome.error;
    vendorStatus = known.vendorStatus;
  }
  await rt.db
    .update(orders)
    .set({ status: "processing", placedAt: new Date(), updatedAt: new Date(), vendorStatus })
    .where(and(eq(orders.id, orderId), eq(orders.status, "pending")));
  return result(orderId, "processing");
}

/** One quick get-order for a placement of unknown outcome: the vendor's order, or null (unknown to it, or no answer). */
async function recheck(rt: OrderRuntime, environment: Parameters<OrderRuntime["vendorFor"]>[0], requestId: string, orderId: string) {
  try {
    return await rt.vendorFor(environment).getOrder(requestId, { orderId, maxAttempts: 1, maxWaitMs: 5_000 });
  } catch (e) {
    if (e instanceof VendorError) return null;
    throw e;
  }
}

/**
 * Asks the vendor how the order is doing and settles it when the vendor has finished: failed →
 * failed and refunded; delivered → completed, once the cards match the order (see completeOrder).
 */
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
  // Failed, or partly failed with nothing delivered (the vendor charges only for delivered cards).
  if (vendorOrder.state === "failed" || (vendorOrder.state === "partial" && vendorOrder.cards.length === 0)) {
    return failOrder(rt.db, orderId, vendorOrder.failureCode ?? "vendor_order_failed", vendorOrder.vendorStatus);
  }
  return completeOrder(rt, orderId, vendorOrder);
}

/**
 * What differs between the vendor's answer and our order: product, face value, card count.
 * "Succeeded" must deliver every card; "PartialFailed" fewer (the rest are refunded).
 */
export function deliveryMismatches(
  order: { quantity: number; faceValue: string },
  vendorProductId: string,
  vendorOrder: Pick<VendorOrder, "state" | "items" | "cards">,
): string[] {
  const problems: string[] = [];
  const productId = Number.parseInt(vendorProductId, 10);
  if (vendorOrder.items.length === 0) problems.push("the vendor's answer has no items");
  for (const item of vendorOrder.items) {
    if (item.productId !== productId) problems.push(`item of product ${item.productId}, ordered ${productId}`);
    if (!new Decimal(item.faceValue).eq(order.faceValue))
      problems.push(`item of face value ${item.faceValue}, ordered ${new Decimal(order.faceValue).toFixed()}`);
    if (item.cards.length > item.quantity) problems.push(`item of ${item.quantity} card(s) delivered ${item.cards.length}`);
  }
  const quantity = vendorOrder.items.reduce((n, i) => n + i.quantity, 0);
  if (vendorOrder.items.length > 0 && quantity !== order.quantity) problems.push(`${quantity} card(s) in the vendor's order, ordered ${order.quantity}`);
  const cards = vendorOrder.cards.length;
  if (vendorOrder.state === "succeeded" && cards !== order.quantity) problems.push(`"Succeeded" with ${cards} card(s) of ${order.quantity}`);
  if (vendorOrder.state === "partial" && cards >= order.quantity) problems.push(`"PartialFailed" with ${cards} card(s) of ${order.quantity}`);
  return problems;
}

/**
 * Stores the delivered cards (code and PIN encrypted) and completes the order; when fewer cards
 * came than were paid for, refunds the difference, once; records what the vendor charged for the
 * delivered cards and recognises the margin on them (ledger revenue), in the same transaction. A
 * re-run changes nothing.
 *
 * The cards are checked against the order first (product, face value, count). A mismatch never
 * completes the order, and never refunds it either (the vendor has charged us for something):
 * the order stays processing, an open reconciliation issue (`delivery_mismatch`) tells admins
 * what differs, and the backfill re-checks it later (the vendor may correct its answer).
 */
async function completeOrder(rt: OrderRuntime, orderId: string, vendorOrder: VendorOrder): Promise<StepResult> {
  // The revenue shard the margin goes to exists before the transaction (see settleBatch).
  const [wallet] = await rt.db.select({ currency: orders.currency, environment: orders.environment }).from(orders).where(eq(orders.id, orderId));
  if (wallet) await ensureRevenueShards(rt.db, wallet.currency as Currency, wallet.environment);
  return rt.db.transaction(async (tx) => {
    const [locked] = await tx
      .select({ order: orders, vendorProductId: catalogProducts.vendorProductId })
      .from(orders)
      .innerJoin(catalogProducts, eq(catalogProducts.id, orders.productId))
      .where(and(eq(orders.id, orderId), inArray(orders.status, [...OPEN])))
      .for("update", { of: orders });
    if (!locked) {
      const [now] = await tx.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
      return result(orderId, now?.status ?? "failed");
    }
    const { order } = locked;
    const problems = deliveryMismatches(order, locked.vendorProductId, vendorOrder);
    if (problems.length > 0) {
      const detail = problems.join("; ");
      await tx
        .update(orders)
        .set({
          vendorStatus: vendorOrder.vendorStatus,
          vendorOrderId: vendorOrder.vendorOrderId,
          pollCount: sql`${orders.pollCount} + 1`,
          updatedAt: new Date(),
        })
        .where(eq(orders.id, orderId));
      await tx
        .insert(reconciliationIssues)
        .values({
          id: newId("rec"),
          orderId,
          vendorRequestId: order.vendorRequestId,
          kind: "delivery_mismatch",
          ourStatus: order.status,
          vendorStatus: vendorOrder.vendorStatus,
          detail,
        })
        .onConflictDoNothing();
      console.error(`[orders] ${orderId}: the vendor's delivery does not match the order (${detail}); left open for an admin`);
      return { ...result(orderId, order.status), done: true, attention: detail };
    }
    const cards = vendorOrder.cards.slice(0, order.quantity);
    // A refund, the margin and an agent's commission: their accounts locked at once, in the ledger's
    // lock order. Without a refund only the margin moves money, last (see settleBatch).
    if (cards.length < order.quantity) await lockOrderAccounts(tx, { refunding: [orderId], completing: [orderId] });
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
    const settled = deliveredCost(order, { total: vendorOrder.total, currency: vendorOrder.currency, cards: vendorOrder.cards.length }, 0, cards.length);
    await tx
      .update(orders)
      .set({
        status: "completed",
        cardsDelivered: cards.length,
        refundedAmount: refunded,
        settledCost: settled.cost,
        vendorOrderId: vendorOrder.vendorOrderId,
        vendorStatus: vendorOrder.vendorStatus,
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(orders.id, orderId));
    // The margin on the delivered cards, in this same transaction (src/server/ledger/revenue.ts).
    const price = new Decimal(order.totalPrice).minus(refunded).toFixed(4);
    await recognizeOrderRevenue(tx, [{ orderId, price, cost: settled.cost, cards: cards.length, costSource: settled.source }]);
    await enqueueEvent(tx, { name: "order/completed", data: { orderId, source: order.source }, id: `order-completed:${orderId}` });
    return result(orderId, "completed");
  });
}

/** Fails an open order and refunds everything it cost, exactly once. */
export async function failOrder(db: Db, orderId: string, code: VendorFailureCode, vendorStatus?: string): Promise<StepResult> {
  return db.transaction((tx) => failOpenOrder(tx, orderId, code, vendorStatus));
}

/** `failOrder` inside the caller's transaction (a batch fails many members in one). */
export async function failOpenOrder(tx: Tx, orderId: string, code: OrderFailureCode, vendorStatus?: string): Promise<StepResult> {
  const [order] = await tx
    .update(orders)
    .set({
      status: "failed",
      failureCode: code,
      failureMessage:
        code === "order_cancelled" || code === "refunded_by_admin"
          ? OWN_FAILURE_MESSAGES[code]
          : (VENDOR_FAILURES[code]?.message ?? "The order could not be fulfilled."),
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
}
