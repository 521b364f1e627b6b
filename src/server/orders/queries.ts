import { and, asc, desc, eq, gte, lt, lte, sql, type SQL } from "drizzle-orm";
import { decryptSecret } from "@/lib/crypto";
import type { Environment } from "@/server/catalog/visibility";
import type { DbOrTx } from "@/server/db/client";
import { orderCards, orders } from "@/server/db/schema";
import type { Order } from "./create";

export type OrderStatus = Order["status"];

/** The partner-facing view of an order; cards only when asked for and decrypted here. */
export function presentOrder(o: Order, cards?: Array<{ code: string; pin: string | null; serialNumber: string | null; expiresAt: string | null }>) {
  return {
    id: o.id,
    object: "order" as const,
    status: o.status,
    environment: o.environment,
    referenceId: o.referenceId,
    sku: o.sku,
    faceValue: o.faceValue,
    faceCurrency: o.faceCurrency,
    quantity: o.quantity,
    unitPrice: o.unitPrice,
    totalPrice: o.totalPrice,
    currency: o.currency,
    cardsDelivered: o.cardsDelivered,
    refundedAmount: o.refundedAmount,
    failure: o.failureCode ? { code: o.failureCode, message: o.failureMessage } : null,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
    completedAt: o.finishedAt?.toISOString() ?? null,
    ...(cards ? { cards } : {}),
  };
}

export type OrderView = ReturnType<typeof presentOrder>;

/** One of the partner's orders (scoped by partner and environment), with its cards decrypted. */
export async function getPartnerOrder(
  db: DbOrTx,
  q: { partnerId: string; environment: Environment; orderId: string; encryptionKey: string },
): Promise<OrderView | null> {
  const [o] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, q.orderId), eq(orders.partnerId, q.partnerId), eq(orders.environment, q.environment)))
    .limit(1);
  if (!o) return null;
  if (o.status !== "completed") return presentOrder(o);
  const cards = await db
    .select()
    .from(orderCards)
    .where(and(eq(orderCards.orderId, o.id), eq(orderCards.partnerId, q.partnerId)))
    .orderBy(asc(orderCards.position));
  return presentOrder(
    o,
    cards.map((c) => ({
      code: decryptSecret(c.codeEncrypted, q.encryptionKey),
      pin: c.pinEncrypted ? decryptSecret(c.pinEncrypted, q.encryptionKey) : null,
      serialNumber: c.serialNumber,
      expiresAt: c.expiresAt,
    })),
  );
}

export interface OrderFilters {
  status?: OrderStatus;
  referenceId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  startingAfter?: string;
}

/** The partner's orders, newest first, by cursor (the id of the last order seen). */
export async function listPartnerOrders(db: DbOrTx, partnerId: string, environment: Environment, f: OrderFilters) {
  const where: SQL[] = [eq(orders.partnerId, partnerId), eq(orders.environment, environment)];
  if (f.status) where.push(eq(orders.status, f.status));
  if (f.referenceId) where.push(eq(orders.referenceId, f.referenceId));
  if (f.from) where.push(gte(orders.createdAt, f.from));
  if (f.to) where.push(lte(orders.createdAt, f.to));
  if (f.startingAfter) where.push(lt(orders.id, f.startingAfter));
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    data: page.map((o) => presentOrder(o)),
    hasMore: rows.length > f.limit,
    nextCursor: rows.length > f.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/** Orders count, spend, top products and a per-day series over the last `days` days. */
export async function partnerUsage(db: DbOrTx, partnerId: string, environment: Environment, days: number) {
  const since = sql`now() - make_interval(days => ${days})`;
  const scope = sql`partner_id = ${partnerId} and environment = ${environment} and created_at >= ${since}`;
  const [totals] = await db.execute<{ orders: number; completed: number; failed: number }>(sql`
    select count(*)::int as orders,
           count(*) filter (where status = 'completed')::int as completed,
           count(*) filter (where status = 'failed')::int as failed
    from orders where ${scope}`);
  const spend = await db.execute<{ currency: string; spend: string }>(sql`
    select currency, sum(total_price - refunded_amount)::numeric(19,4)::text as spend
    from orders where ${scope} group by currency order by currency`);
  const top = await db.execute<{ sku: string; orders: number; cards: number; spend: string; currency: string }>(sql`
    select sku, currency, count(*)::int as orders, sum(cards_delivered)::int as cards,
           sum(total_price - refunded_amount)::numeric(19,4)::text as spend
    from orders where ${scope} group by sku, currency order by count(*) desc, sku limit 10`);
  const byDay = await db.execute<{ day: string; orders: number; spend: string; currency: string }>(sql`
    select to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') as day, currency,
           count(*)::int as orders, sum(total_price - refunded_amount)::numeric(19,4)::text as spend
    from orders where ${scope} group by 1, currency order by 1, currency`);
  return { days, totals: totals ?? { orders: 0, completed: 0, failed: 0 }, spend: [...spend], topProducts: [...top], byDay: [...byDay] };
}
