import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { sha256Hex } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import { InvalidAmountError, parsePositiveAmount } from "@/lib/money";
import { findOrderableProduct, type Environment } from "@/server/catalog/visibility";
import { faceValueAllowed, ProfitGuardError, quote } from "@/server/catalog/pricing";
import type { Db } from "@/server/db/client";
import { jobEvents, orders } from "@/server/db/schema";
import { orderDebitTransfer, refusalFromError, requireCreated, transferCall } from "@/server/ledger";
import { rowFromDriver } from "@/server/db/rows";
import type { AppEvent } from "@/server/outbox/events";
import { outboxRow } from "@/server/outbox";
import { OrderError } from "./errors";

export type Order = typeof orders.$inferSelect;

export interface CreateOrderInput {
  partnerId: string;
  environment: Environment;
  sku: string;
  faceValue: string;
  quantity: number;
  referenceId: string;
  actor: string;
  source?: "api" | "dashboard" | "console";
}

export const MAX_QUANTITY = 500;

function requestHashOf(i: { sku: string; faceValue: string; quantity: number }): string {
  return sha256Hex(JSON.stringify([i.sku, i.faceValue, i.quantity]));
}

/**
 * Creates an order, idempotent on (partner, environment, referenceId): it checks the product is
 * visible to the partner and the face value allowed, prices it, then in one statement inserts
 * the order, debits the wallet and writes the `order/created` event to the outbox. Insufficient
 * funds → nothing is written. The same reference with the same input returns the existing order
 * (`created: false`), even if the product has changed since; with other input, a
 * `reference_conflict` error. Concurrent duplicates are settled by the unique index, not by a
 * lock in memory. A new order costs three round trips: product, accounts, write.
 */
export async function createOrder(db: Db, input: CreateOrderInput): Promise<{ order: Order; created: boolean }> {
  let faceValue: string;
  try {
    faceValue = parsePositiveAmount(input.faceValue);
  } catch (e) {
    if (e instanceof InvalidAmountError) {
      throw new OrderError("invalid_face_value", `faceValue must be a positive decimal string such as "25.00" (${e.reason.replace(/_/g, " ")})`, "faceValue");
    }
    throw e;
  }
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_QUANTITY) {
    throw new OrderError("invalid_quantity", `quantity must be a whole number from 1 to ${MAX_QUANTITY}`, "quantity");
  }
  const requestHash = requestHashOf({ sku: input.sku, faceValue, quantity: input.quantity });

  // A refusal for the product or its price is checked against an earlier order with this
  // reference first: a replay of an accepted order returns it, whatever changed since.
  const refuse = async (error: OrderError): Promise<{ order: Order; created: boolean }> => {
    const existing = await findByReference(db, input);
    if (existing) return sameOrConflict(existing, requestHash);
    throw error;
  };
  const product = await findOrderableProduct(db, input);
  if (!product) return refuse(new OrderError("product_not_found", `No product with SKU "${input.sku}" is available to you`, "sku"));
  if (!faceValueAllowed(faceValue, product.minFaceValue, product.maxFaceValue)) {
    const allowed =
      product.minFaceValue === product.maxFaceValue ? `exactly ${product.minFaceValue}` : `between ${product.minFaceValue} and ${product.maxFaceValue}`;
    return refuse(new OrderError("invalid_face_value", `faceValue for ${input.sku} must be ${allowed} ${product.currency}`, "faceValue"));
  }
  let price;
  try {
    price = quote({ faceValue, quantity: input.quantity, costRate: product.costRate, markupBps: product.markupBps });
  } catch (e) {
    if (e instanceof ProfitGuardError) return refuse(new OrderError("below_cost", "This product cannot be sold at the configured price", "sku"));
    throw e;
  }

  const id = newId("ord");
  const debit = transferCall(
    await orderDebitTransfer(db, {
      partnerId: input.partnerId,
      environment: input.environment,
      currency: product.costCurrency,
      amount: price.totalPrice,
      orderId: id,
      actor: input.actor,
    }),
  );
  const insertOrder = db
    .insert(orders)
    .values({
      id,
      partnerId: input.partnerId,
      environment: input.environment,
      referenceId: input.referenceId,
      requestHash,
      productId: product.id,
      sku: product.sku,
      faceValue,
      quantity: input.quantity,
      faceCurrency: product.currency,
      currency: product.costCurrency,
      unitPrice: price.unitPrice,
      totalPrice: price.totalPrice,
      vendorCost: price.totalCost,
      vendorRequestId: randomUUID(),
      source: input.source ?? "api",
      createdBy: input.actor,
    })
    .onConflictDoNothing({ target: [orders.partnerId, orders.environment, orders.referenceId] })
    .returning();
  const created: AppEvent = { name: "order/created", data: { orderId: id }, id: `order-created:${id}` };
  const event = outboxRow(created);
  // One statement, so one atomic write: the order, its debit (only if the order row is new) and
  // the `order/created` event (only if the debit was made). A refused debit raises, which rolls
  // the order back with it; the unique index settles a concurrent duplicate before any money moves.
  let rows;
  try {
    rows = await db.execute<Record<string, unknown>>(sql`
      with o as (${insertOrder.getSQL()}),
      t as (select d.* from o cross join lateral ${debit.sql} d),
      e as (
        insert into ${jobEvents} (id, name, data, key, ts)
        select ${event.id}, ${event.name}, ${JSON.stringify(event.data)}::jsonb, ${event.key}, ${event.ts}
        from t where t.outcome = 'created'
        on conflict (key) do nothing
      )
      select o.*, ${requireCreated("t")} as debited from o left join t on true`);
  } catch (error) {
    throw refusalFromError(debit.checked, error) ?? error;
  }
  if (rows[0]) return { order: rowFromDriver(orders, rows[0]), created: true };
  // This reference was used before, or by a concurrent request that won the insert (and has
  // committed): the same order, or a conflict.
  const winner = await findByReference(db, input);
  if (!winner) throw new Error("order vanished after a reference conflict");
  return sameOrConflict(winner, requestHash);
}

async function findByReference(db: Pick<Db, "select">, q: { partnerId: string; environment: Environment; referenceId: string }) {
  const [row] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.partnerId, q.partnerId), eq(orders.environment, q.environment), eq(orders.referenceId, q.referenceId)))
    .limit(1);
  return row ?? null;
}

function sameOrConflict(order: Order, requestHash: string) {
  if (order.requestHash !== requestHash) {
    throw new OrderError(
      "reference_conflict",
      `referenceId "${order.referenceId}" was already used for a different order (${order.id}); use a new referenceId for a new order`,
      "referenceId",
    );
  }
  return { order, created: false };
}
