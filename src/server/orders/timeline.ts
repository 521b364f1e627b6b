import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import type { Environment } from "@/server/catalog/visibility";
import type { DbOrTx } from "@/server/db/client";
import {
  ledgerTransfers,
  orders,
  vendorBatches,
  vendorCalls,
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookEndpoints,
  webhookEvents,
} from "@/server/db/schema";
import { asPlaced } from "./batch";

/**
 * One thing that happened to an order. `kind`: `state` (created, placed, finished), `payment`
 * (the wallet debit), `refund`, `supplier_call` (a call to the vendor about this order or its
 * batch, masked: no bodies, no vendor ids), `webhook` (one HTTP attempt of a delivery of an event
 * about this order).
 */
export interface OrderTimelineEvent {
  at: string;
  kind: "state" | "payment" | "refund" | "supplier_call" | "webhook";
  title: string;
  detail: Record<string, string | number | null>;
}

/**
 * The order's timeline, oldest first, or null when the order is not the partner's in that
 * environment (callers answer not found: another partner's id says nothing).
 */
export async function getOrderTimeline(db: DbOrTx, q: { partnerId: string; environment: Environment; orderId: string }): Promise<OrderTimelineEvent[] | null> {
  const [o] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, q.orderId), eq(orders.partnerId, q.partnerId), eq(orders.environment, q.environment)))
    .limit(1);
  if (!o) return null;
  const events: OrderTimelineEvent[] = [];
  const at = (d: Date) => d.toISOString();
  events.push({
    at: at(o.createdAt),
    kind: "state",
    title: "Order created",
    detail: { status: "pending", source: o.source, quantity: o.quantity, totalPrice: o.totalPrice, currency: o.currency },
  });
  if (o.placedAt) events.push({ at: at(o.placedAt), kind: "state", title: "Placed with the supplier", detail: { status: "processing" } });
  if (o.finishedAt)
    events.push({
      at: at(o.finishedAt),
      kind: "state",
      title: o.status === "completed" ? "Order completed" : `Order ${o.status.replace(/_/g, " ")}`,
      detail: { status: o.status, cardsDelivered: o.cardsDelivered, failureCode: o.failureCode },
    });

  const transfers = await db
    .select({ kind: ledgerTransfers.kind, amount: ledgerTransfers.amount, currency: ledgerTransfers.currency, createdAt: ledgerTransfers.createdAt })
    .from(ledgerTransfers)
    .where(and(eq(ledgerTransfers.reference, o.id), inArray(ledgerTransfers.kind, ["order_debit", "order_refund"])));
  for (const t of transfers) {
    const refund = t.kind === "order_refund";
    events.push({
      at: at(t.createdAt),
      kind: refund ? "refund" : "payment",
      title: refund ? "Refunded to the wallet" : "Paid from the wallet",
      detail: { amount: t.amount, currency: t.currency },
    });
  }

  // Calls to the vendor: by order id, by the order's own request id, or by its batch's request id.
  const requestIds = [o.vendorRequestId];
  if (o.batchId) {
    const [b] = await db.select().from(vendorBatches).where(eq(vendorBatches.id, o.batchId));
    if (b) requestIds.push((await asPlaced(db, b)).vendorRequestId);
  }
  const calls = await db
    .select({
      kind: vendorCalls.kind,
      method: vendorCalls.method,
      attempt: vendorCalls.attempt,
      status: vendorCalls.status,
      durationMs: vendorCalls.durationMs,
      errorKind: vendorCalls.errorKind,
      startedAt: vendorCalls.startedAt,
    })
    .from(vendorCalls)
    .where(or(eq(vendorCalls.orderId, o.id), inArray(vendorCalls.requestId, requestIds)))
    .orderBy(asc(vendorCalls.startedAt))
    .limit(200);
  for (const c of calls) {
    events.push({
      at: at(c.startedAt),
      kind: "supplier_call",
      title: c.kind === "place_order" ? "Supplier: place order" : c.kind === "get_order" ? "Supplier: order status asked" : `Supplier: ${c.kind}`,
      detail: { attempt: c.attempt, httpStatus: c.status, durationMs: c.durationMs, error: c.errorKind },
    });
  }

  const attempts = await db
    .select({
      type: webhookEvents.type,
      url: webhookEndpoints.url,
      attempt: webhookDeliveryAttempts.attempt,
      statusCode: webhookDeliveryAttempts.statusCode,
      durationMs: webhookDeliveryAttempts.durationMs,
      error: webhookDeliveryAttempts.error,
      at: webhookDeliveryAttempts.at,
    })
    .from(webhookDeliveryAttempts)
    .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookDeliveryAttempts.deliveryId))
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(
      and(
        eq(webhookEvents.partnerId, q.partnerId),
        eq(webhookEvents.environment, q.environment),
        sql`${webhookEvents.payload} -> 'data' ->> 'orderId' = ${o.id}`,
      ),
    )
    .limit(200);
  for (const a of attempts) {
    events.push({
      at: at(a.at),
      kind: "webhook",
      title: `Webhook ${a.type}`,
      detail: { endpoint: a.url, attempt: a.attempt, httpStatus: a.statusCode, durationMs: a.durationMs, error: a.error },
    });
  }
  return events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
}
