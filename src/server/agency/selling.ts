import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import { InvalidAmountError, parsePositiveAmount, sumAmounts } from "@/lib/money";
import { faceValueAllowed, quoteIfSellable } from "@/server/catalog/pricing";
import { type Environment, findOrderableProduct } from "@/server/catalog/visibility";
import type { Db, DbOrTx } from "@/server/db/client";
import { catalogBrands, catalogProducts, counterSales, orders, partners } from "@/server/db/schema";
import { requestEmail } from "@/server/email";
import type { BatchJoin } from "@/server/orders/batch-open";
import { createOrder, type Order } from "@/server/orders/create";
import { getPartnerOrder, presentOrder } from "@/server/orders/queries";

/*
 * Over-the-counter selling by sub-agents (issue 18): one card per sale, through the same order
 * engine as the API (`createOrder`: visibility, price, profit guard, the agent's limits and
 * suspension, the wallet debit), idempotent on the sale key the form makes when it opens. The
 * customer's contact is written before the order under the order's own key (partner, environment,
 * reference), so the receipt email, sent when the order completes, always finds it.
 */

const referenceOf = (saleKey: string) => `sale-${saleKey}`;

export interface SaleInput {
  partnerId: string;
  environment: Environment;
  sku: string;
  faceValue: string;
  customerEmail?: string;
  customerPhone?: string;
  saleKey: string;
  actor: string;
}

/** The price of one card of `sku` at `faceValue` for this partner, or null if it cannot be sold. */
export async function quoteSale(db: DbOrTx, q: { partnerId: string; environment: Environment; sku: string; faceValue: string }) {
  const product = await findOrderableProduct(db, q);
  if (!product) return null;
  let faceValue: string;
  try {
    faceValue = parsePositiveAmount(q.faceValue);
  } catch (e) {
    if (e instanceof InvalidAmountError) return null;
    throw e;
  }
  if (!faceValueAllowed(faceValue, product.minFaceValue, product.maxFaceValue)) return null;
  const price = quoteIfSellable({ faceValue, quantity: 1, costRate: product.costRate, markupBps: product.markupBps });
  if (!price) return null;
  return {
    sku: product.sku,
    name: product.name,
    brand: product.brandName,
    faceValue,
    faceCurrency: product.currency,
    price: price.totalPrice,
    currency: product.costCurrency,
  };
}

/**
 * Sells one card: the customer's contact, then the order (`createOrder`, source "dashboard",
 * quantity 1). A refused order leaves no contact behind; the same sale key gives back the first
 * order and charges nothing again.
 */
export async function sellCard(db: Db, input: SaleInput, batching?: BatchJoin): Promise<{ order: Order; created: boolean }> {
  const key = { partnerId: input.partnerId, environment: input.environment, referenceId: referenceOf(input.saleKey) };
  const [written] = await db
    .insert(counterSales)
    .values({ ...key, customerEmail: input.customerEmail ?? null, customerPhone: input.customerPhone ?? null, createdBy: input.actor })
    .onConflictDoNothing()
    .returning({ referenceId: counterSales.referenceId });
  try {
    return await createOrder(
      db,
      {
        partnerId: input.partnerId,
        environment: input.environment,
        sku: input.sku,
        faceValue: input.faceValue,
        quantity: 1,
        referenceId: key.referenceId,
        actor: input.actor,
        source: "dashboard",
      },
      batching,
    );
  } catch (error) {
    // Refused (funds, limits, price…): the contact written for it goes too (a replay's stays).
    if (written) {
      await db
        .delete(counterSales)
        .where(
          and(
            eq(counterSales.partnerId, key.partnerId),
            eq(counterSales.environment, key.environment),
            eq(counterSales.referenceId, key.referenceId),
            sql`not exists (select 1 from ${orders} o where o.partner_id = ${key.partnerId} and o.environment = ${key.environment} and o.reference_id = ${key.referenceId})`,
          ),
        );
    }
    throw error;
  }
}

const saleColumns = {
  order: orders,
  customerEmail: counterSales.customerEmail,
  customerPhone: counterSales.customerPhone,
  productName: catalogProducts.name,
  brand: catalogBrands.name,
};

function saleQuery(db: DbOrTx) {
  return db
    .select(saleColumns)
    .from(orders)
    .leftJoin(
      counterSales,
      and(eq(counterSales.partnerId, orders.partnerId), eq(counterSales.environment, orders.environment), eq(counterSales.referenceId, orders.referenceId)),
    )
    .leftJoin(catalogProducts, eq(catalogProducts.id, orders.productId))
    .leftJoin(catalogBrands, eq(catalogBrands.id, catalogProducts.brandId));
}

type SaleRow = Awaited<ReturnType<ReturnType<typeof saleQuery>["execute"]>>[number];

function presentSale(r: SaleRow) {
  return {
    ...presentOrder(r.order),
    productName: r.productName ?? r.order.sku,
    brand: r.brand ?? r.order.sku,
    customerEmail: r.customerEmail,
    customerPhone: r.customerPhone,
  };
}

/** One sale of the partner (its order with the customer's contact), without the card. */
export async function getSale(db: DbOrTx, q: { partnerId: string; environment: Environment; orderId: string }) {
  const [row] = await saleQuery(db)
    .where(and(eq(orders.id, q.orderId), eq(orders.partnerId, q.partnerId), eq(orders.environment, q.environment)))
    .limit(1);
  return row ? presentSale(row) : null;
}

/** The receipt of a completed sale: the shop, the sale and its card(s) decrypted; null while not completed or not the partner's. */
export async function saleReceipt(db: DbOrTx, q: { partnerId: string; environment: Environment; orderId: string; encryptionKey: string }) {
  const sale = await getSale(db, q);
  if (!sale || sale.status !== "completed") return null;
  const [order, [shop]] = await Promise.all([
    getPartnerOrder(db, q),
    db.select({ name: partners.businessName }).from(partners).where(eq(partners.id, q.partnerId)),
  ]);
  return {
    shopName: shop?.name ?? "",
    orderId: sale.id,
    soldAt: sale.createdAt,
    environment: q.environment,
    productName: sale.productName,
    brand: sale.brand,
    sku: sale.sku,
    faceValue: sale.faceValue,
    faceCurrency: sale.faceCurrency,
    customerEmail: sale.customerEmail,
    customerPhone: sale.customerPhone,
    cards: order?.cards ?? [],
  };
}

/** The partner's sales of one UTC day (newest first, at most 200) and their totals per currency. */
export async function dailySales(db: DbOrTx, q: { partnerId: string; environment: Environment; day: Date }) {
  const start = new Date(Date.UTC(q.day.getUTCFullYear(), q.day.getUTCMonth(), q.day.getUTCDate()));
  const end = new Date(start.getTime() + 86_400_000);
  const rows = await saleQuery(db)
    .where(and(eq(orders.partnerId, q.partnerId), eq(orders.environment, q.environment), gte(orders.createdAt, start), lt(orders.createdAt, end)))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(200);
  const sales = rows.map(presentSale);
  const currencies = [...new Set(sales.map((s) => s.currency))].sort();
  const totals = currencies.map((currency) => {
    const paid = sales.filter((s) => s.currency === currency && s.status !== "failed");
    return { currency, sales: paid.length, amount: sumAmounts(paid.map((s) => s.totalPrice)) };
  });
  return { day: start.toISOString().slice(0, 10), sales, totals };
}

/**
 * After an order completes: if it is an over-the-counter sale with a customer email, the
 * receipt is emailed (the card's code and PIN in it), once per order (keyed by the order).
 */
export async function requestSaleReceiptEmail(db: DbOrTx, orderId: string, encryptionKey: string): Promise<{ requested: boolean }> {
  const [row] = await saleQuery(db).where(eq(orders.id, orderId)).limit(1);
  if (!row?.customerEmail || row.order.status !== "completed") return { requested: false };
  const receipt = await saleReceipt(db, { partnerId: row.order.partnerId, environment: row.order.environment, orderId, encryptionKey });
  if (!receipt) return { requested: false };
  await requestEmail(db, {
    to: row.customerEmail,
    partnerId: row.order.partnerId,
    template: "sale_receipt",
    params: {
      shopName: receipt.shopName,
      orderId: receipt.orderId,
      brand: receipt.brand,
      productName: receipt.productName,
      faceValue: receipt.faceValue,
      currency: receipt.faceCurrency,
      environment: receipt.environment,
      cards: receipt.cards
        .map((c) => [`Code: ${c.code}`, c.pin ? `PIN: ${c.pin}` : null, c.expiresAt ? `Valid until: ${c.expiresAt}` : null].filter(Boolean).join("\n"))
        .join("\n\n"),
    },
    key: `sale_receipt:${orderId}`,
  });
  return { requested: true };
}
