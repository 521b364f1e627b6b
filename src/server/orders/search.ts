import { and, asc, desc, eq, gt, gte, ilike, lt, lte, or, type SQL } from "drizzle-orm";
import type { Environment } from "@/server/catalog/visibility";
import type { DbOrTx } from "@/server/db/client";
import { orders, partners } from "@/server/db/schema";
import { type OrderStatus, presentOrder } from "./queries";

export interface OrderSearch {
  status?: OrderStatus;
  sku?: string;
  referenceId?: string;
  /** Free text: an order id, or part of a reference id or product sku. */
  q?: string;
  from?: Date;
  to?: Date;
  /** Newest first (default) or oldest first; the cursor follows the same order. */
  order?: "desc" | "asc";
  limit: number;
  after?: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function conditions(partnerId: string, environment: Environment, f: Omit<OrderSearch, "limit" | "after" | "order">): SQL[] {
  const where: SQL[] = [eq(orders.partnerId, partnerId), eq(orders.environment, environment)];
  if (f.status) where.push(eq(orders.status, f.status));
  if (f.sku) where.push(eq(orders.sku, f.sku));
  if (f.referenceId) where.push(eq(orders.referenceId, f.referenceId));
  if (f.from) where.push(gte(orders.createdAt, f.from));
  if (f.to) where.push(lte(orders.createdAt, f.to));
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    where.push(or(eq(orders.id, f.q), ilike(orders.referenceId, like), ilike(orders.sku, like)) as SQL);
  }
  return where;
}

/** The partner's orders in one environment, filtered, by cursor (the id of the last order seen). */
export async function searchPartnerOrders(db: DbOrTx, partnerId: string, environment: Environment, f: OrderSearch) {
  const where = conditions(partnerId, environment, f);
  const ascending = f.order === "asc";
  if (f.after) where.push(ascending ? gt(orders.id, f.after) : lt(orders.id, f.after));
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(ascending ? asc(orders.id) : desc(orders.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { data: page.map((o) => presentOrder(o)), nextCursor: rows.length > f.limit ? (page[page.length - 1]?.id ?? null) : null };
}

const CSV_COLUMNS = [
  "id",
  "createdAt",
  "status",
  "referenceId",
  "sku",
  "faceValue",
  "faceCurrency",
  "quantity",
  "cardsDelivered",
  "totalPrice",
  "refundedAmount",
  "currency",
] as const;

/** A CSV cell: quoted when needed, and a leading = + - @ neutralised (no formulas in a spreadsheet). */
function cell(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The filtered set as CSV (no cursor; at most `max` rows, newest first), amounts as stored. */
export async function partnerOrdersCsv(db: DbOrTx, partnerId: string, environment: Environment, f: Omit<OrderSearch, "limit" | "after">, max = 10_000) {
  const rows = await db
    .select()
    .from(orders)
    .where(and(...conditions(partnerId, environment, f)))
    .orderBy(f.order === "asc" ? asc(orders.id) : desc(orders.id))
    .limit(max + 1);
  const lines = [CSV_COLUMNS.join(",")];
  for (const o of rows.slice(0, max)) {
    const v = presentOrder(o);
    lines.push(CSV_COLUMNS.map((c) => cell(v[c])).join(","));
  }
  return { csv: `${lines.join("\r\n")}\r\n`, rows: Math.min(rows.length, max), truncated: rows.length > max };
}

interface AdminOrderSearch {
  /** An order id, or part of a reference id or product sku. */
  q?: string;
  /** A partner id, or part of a partner's business name. */
  partner?: string;
  status?: OrderStatus;
  environment?: Environment;
  from?: Date;
  to?: Date;
  limit: number;
  after?: string;
}

/**
 * Orders across partners for support (admin), newest first, by cursor (the id of the last order
 * seen): by order id, reference id or sku (`q`), partner (id or name), status, environment and
 * creation date ([from, to]).
 */
export async function searchAllOrders(db: DbOrTx, f: AdminOrderSearch) {
  const where: SQL[] = [];
  if (f.status) where.push(eq(orders.status, f.status));
  if (f.environment) where.push(eq(orders.environment, f.environment));
  if (f.from) where.push(gte(orders.createdAt, f.from));
  if (f.to) where.push(lte(orders.createdAt, f.to));
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    where.push(or(eq(orders.id, f.q), ilike(orders.referenceId, like), ilike(orders.sku, like)) as SQL);
  }
  if (f.partner) where.push(or(eq(orders.partnerId, f.partner), ilike(partners.businessName, `%${escapeLike(f.partner)}%`)) as SQL);
  if (f.after) where.push(lt(orders.id, f.after));
  const rows = await db
    .select({ order: orders, partnerName: partners.businessName })
    .from(orders)
    .innerJoin(partners, eq(partners.id, orders.partnerId))
    .where(and(...where))
    .orderBy(desc(orders.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    data: page.map((r) => ({ ...presentOrder(r.order), partnerId: r.order.partnerId, partnerName: r.partnerName })),
    nextCursor: rows.length > f.limit ? (page[page.length - 1]?.order.id ?? null) : null,
  };
}
