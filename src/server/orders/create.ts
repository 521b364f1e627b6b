import { randomUUID } from "node:crypto";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { sha256Hex } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import { InvalidAmountError, parsePositiveAmount } from "@/lib/money";
import { findOrderableProduct, type Environment } from "@/server/catalog/visibility";
import { faceValueAllowed, ProfitGuardError, quote } from "@/server/catalog/pricing";
import type { Db } from "@/server/db/client";
import { catalogProducts, orders, vendorBatches } from "@/server/db/schema";
import { orderDebitTransfer, refusalError, transferInStatement } from "@/server/ledger";
import { rowFromDriver } from "@/server/db/rows";
import { errorChain } from "@/lib/error-chain";
import { enqueueWithin, type AppEvent } from "@/server/outbox";
import { type BatchJoin, newOpenBatch, openBatchOf } from "./batch-open";
import { OrderError } from "./errors";
import { noteMilestone } from "@/server/partners/activation";

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
 * visible to the partner and the face value allowed, prices it (refused `below_cost` if the price
 * would not cover the vendor cost, when quoted or, should a catalog sync raise the cost meanwhile,
 * when written), then in one statement debits the
 * wallet (`transferInStatement` of the ledger), inserts the order and writes the `order/created`
 * event (`enqueueWithin` of the outbox). Insufficient funds → nothing is written. The same reference with the same input returns the existing order
 * (`created: false`), even if the product has changed since; with other input, a
 * `reference_conflict` error. Concurrent duplicates are settled by the unique index, not by a
 * lock in memory. A new order costs three round trips: product, accounts, write.
 *
 * With `batching` (the order engine's runtime: the app's callers pass `services.orders`) the same
 * statement also puts the order in the pool of its vendor batch: it locks the open batch of its
 * product and face value (shared: arrivals do not wait for each other; a batch that is closing is
 * waited for, and once closed its pool query sees this order), or opens one with its
 * `order/batch.ready` event. The order then needs no run of its own; only when neither happened (a
 * batch opened by a concurrent statement, not yet visible to this one) is `order/created` written,
 * and the order's run joins the batch (`queueOrder`), as it does for every order created without
 * `batching`.
 */
export async function createOrder(db: Db, input: CreateOrderInput, batching?: BatchJoin): Promise<{ order: Order; created: boolean }> {
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
  let price: ReturnType<typeof quote>;
  try {
    price = quote({ faceValue, quantity: input.quantity, costRate: product.costRate, markupBps: product.markupBps });
  } catch (e) {
    if (e instanceof ProfitGuardError) return refuse(new OrderError("below_cost", "This product cannot be sold at the configured price", "sku"));
    throw e;
  }

  const id = newId("ord");
  const values = {
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
  } satisfies typeof orders.$inferInsert;
  // The debit is made only while no order has this reference (an existing one is replayed below).
  const referenceFree = sql`not exists (select 1 from ${orders} where ${orders.partnerId} = ${input.partnerId}
    and ${orders.environment} = ${input.environment} and ${orders.referenceId} = ${input.referenceId})`;
  // The profit guard at the moment of the write: the product is still sold, in the same currency,
  // and its vendor cost now (a catalog sync may have raised it since the quote) is still covered by
  // the unit price (cost rounded up to 4 decimals, as `quote` does). Otherwise nothing is written.
  const costCovered = sql`exists (select 1 from ${catalogProducts} p where p.id = ${product.id} and p.active
    and p.cost_currency = ${product.costCurrency}
    and ceil(${faceValue}::numeric * p.cost_rate * 10000) / 10000 <= ${price.unitPrice}::numeric)`;
  const debit = transferInStatement(
    await orderDebitTransfer(db, {
      partnerId: input.partnerId,
      environment: input.environment,
      currency: product.costCurrency,
      amount: price.totalPrice,
      orderId: id,
      actor: input.actor,
    }),
    // agency_sale_check (drizzle/0027): a sub-agent whose agent is suspended, or whose sale breaks
    // its limits, raises, and the statement writes nothing (agencyRefusal below).
    {
      when: sql`${referenceFree} and ${costCovered}
        and agency_sale_check(${input.partnerId}, ${input.environment}, ${product.costCurrency}, ${price.totalPrice}::numeric)`,
    },
  );
  const fields = (Object.keys(values) as (keyof typeof values)[]).map((k) => ({ column: orders[k], value: values[k] }));
  const created: AppEvent = { name: "order/created", data: { orderId: id }, id: `order-created:${id}` };
  const join = batching
    ? batchJoin(batching, {
        environment: input.environment,
        productId: product.id,
        vendorProductId: product.vendorProductId,
        faceValue,
        faceCurrency: product.currency,
      })
    : null;
  // One statement, so one atomic write: the debit (unless the reference is taken), the order
  // (only if the debit was made), its vendor batch joined or opened (with `batching`) and the
  // `order/created` event (only with the order, and with `batching` only if no batch was). A refused
  // debit writes nothing and comes back as a value. A concurrent duplicate that committed after
  // this statement began makes the order's insert fail on the unique index, which rolls its debit
  // back with it; the winner is then returned below.
  let rows: Record<string, unknown>[];
  try {
    rows = await db.execute<Record<string, unknown>>(sql`
      with t as (${debit.cte}),
      o as (
        insert into ${orders} (${sql.join(
          fields.map((f) => sql.identifier(f.column.name)),
          sql`, `,
        )})
        select ${sql.join(
          fields.map((f) => sql.param(f.value, f.column)),
          sql`, `,
        )}
        from t where ${debit.createdIn("t")}
        returning *
      ),
      ${join?.ctes ?? sql``}
      e as (${enqueueWithin(created, sql`exists (select 1 from o) ${join?.uncovered ?? sql``}`)}),
      c as (select ${costCovered} as cost_covered)
      select o.*, ${debit.columns("t")}, c.cost_covered from c left join t on true left join o on true`);
  } catch (error) {
    const agency = agencyRefusal(error);
    if (agency) return refuse(agency);
    if (!isReferenceTaken(error)) throw error;
    rows = [];
  }
  const attempt = debit.attempt(rows[0]);
  if (attempt && !attempt.ok) throw refusalError(attempt);
  if (attempt?.ok) {
    // After the commit, once per partner per process (a map lookup after that): never in the one statement above.
    await noteMilestone(db, input.partnerId, input.environment === "live" ? "first_live_order" : "first_sandbox_order");
    return { order: rowFromDriver(orders, rows[0]!), created: true };
  }
  // Not attempted because the vendor cost rose above this price since the quote: refused (after a
  // replay check: an order accepted earlier under this reference is returned as always).
  if (rows[0] && rows[0].cost_covered === false) {
    return refuse(
      new OrderError(
        "below_cost",
        `The vendor's cost for ${input.sku} rose above the price quoted while the order was being placed; nothing was charged. Retry to order at the current price.`,
        "sku",
      ),
    );
  }
  // This reference was used before, or by a concurrent request that won the insert (and has
  // committed): the same order, or a conflict.
  const winner = await findByReference(db, input);
  if (!winner) throw new Error("order vanished after a reference conflict");
  return sameOrConflict(winner, requestHash);
}

/**
 * The CTEs that put a new order (CTE `o`) in its vendor batch's pool: `ob` the open batch, locked
 * shared; else `nb` a new one and `be` its event. `uncovered` is true when neither happened.
 *
 * An open batch locked for update is closing (`closeBatch`, or taken along as a rider): the order
 * does not wait for it (`skip locked`; a close of many lines holds its batches for a few hundred
 * ms, and every arrival of those products would stand behind it), and opens no batch beside it
 * (`cb`: it is still open in this statement's snapshot). It is left uncovered: its own run
 * (`order/created`, `queueOrder`) finds it in that batch if the close took it, else opens or joins
 * the next one.
 */
function batchJoin(
  batching: BatchJoin,
  o: { environment: Environment; productId: string; vendorProductId: string; faceValue: string; faceCurrency: string },
): { ctes: SQL; uncovered: SQL } {
  const key = { ...o, account: batching.vendorFor(o.environment).account };
  const fresh = newOpenBatch(key, batching.batchWindowMs, sql`exists (select 1 from o) and not exists (select 1 from ob) and not exists (select 1 from cb)`);
  return {
    ctes: sql`ob as (select b.id from ${vendorBatches} b where ${openBatchOf(key)} and exists (select 1 from o) for share of b skip locked),
      cb as (select b.id from ${vendorBatches} b where ${openBatchOf(key)} and exists (select 1 from o) and not exists (select 1 from ob)),
      nb as (${fresh.insert}),
      be as (${enqueueWithin(fresh.ready, sql`exists (select 1 from nb)`)}),`,
    uncovered: sql`and not exists (select 1 from ob) and not exists (select 1 from nb)`,
  };
}

/** The refusal agency_sale_check raised for a sub-agent's sale (suspended agent, over a limit), as the order engine's error. */
function agencyRefusal(error: unknown): OrderError | null {
  for (const e of errorChain(error)) {
    if (e.code !== "P0001" || typeof e.message !== "string" || !e.message.startsWith("agency_")) continue;
    let d: Record<string, string> = {};
    try {
      d = JSON.parse(String((e as { detail?: unknown }).detail ?? "{}"));
    } catch {}
    switch (e.message) {
      case "agency_agent_suspended":
        return new OrderError(
          "agent_suspended",
          `Sales are stopped: your agent (${d.agent ?? "your agent"}) is suspended. Nothing was charged; contact your agent.`,
        );
      case "agency_per_order_cap":
        return new OrderError(
          "sale_over_per_order_cap",
          `This sale costs ${d.amount} ${d.currency}, above your per-order limit of ${d.cap} ${d.currency} set by your agent. Nothing was charged.`,
          "faceValue",
        );
      case "agency_daily_cap":
        return new OrderError(
          "sale_over_daily_cap",
          `This sale (${d.amount} ${d.currency}) would take you past your daily sales limit of ${d.cap} ${d.currency} set by your agent (sold today: ${d.soldToday} ${d.currency}). Nothing was charged.`,
          "faceValue",
        );
    }
  }
  return null;
}

/** The order's insert lost to a concurrent order with the same reference (unique violation). */
function isReferenceTaken(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e.code === "23505" && (e as { constraint_name?: string }).constraint_name === "orders_reference_uq") return true;
  }
  return false;
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
