import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { Environment } from "@/server/catalog/visibility";
import { vendorBatches } from "@/server/db/schema";
import type { AppEvent } from "@/server/outbox";
import type { OrderRuntime } from "./runtime";

/** What one vendor batch gathers: the orders of one environment, vendor account, product and face value. */
export interface BatchKey {
  environment: Environment;
  account: string;
  productId: string;
  vendorProductId: string;
  faceValue: string;
  faceCurrency: string;
}

/** What a new order needs to join or open its vendor batch in the statement that creates it (`OrderRuntime`, `services.orders`, has it). */
export interface BatchJoin {
  vendorFor(environment: Environment): { readonly account: string };
  batchWindowMs: OrderRuntime["batchWindowMs"];
}

/** `b` is the open batch of `key` (at most one: the unique index vendor_batches_open_uq). */
export function openBatchOf(key: BatchKey, b = "b"): SQL {
  const t = sql.identifier(b);
  return sql`${t}.environment = ${key.environment} and ${t}.account = ${key.account} and ${t}.vendor_product_id = ${key.vendorProductId}
    and ${t}.face_value = ${key.faceValue}::numeric and ${t}.face_currency = ${key.faceCurrency} and ${t}.status = 'open'`;
}

/**
 * A new open batch of `key` (its request id stored now, before any call; it gathers for `windowMs`)
 * and the event that drives it, as two statements or CTEs: the insert does nothing when another
 * open batch of the key exists (the unique index), and the event is written only with the batch.
 */
export function newOpenBatch(key: BatchKey, windowMs: number, when: SQL = sql`true`) {
  const id = newId("bat");
  const insert = sql`insert into ${vendorBatches} (id, environment, account, product_id, vendor_product_id, face_value, face_currency, vendor_request_id, close_at)
    select ${id}, ${key.environment}, ${key.account}, ${key.productId}, ${key.vendorProductId}, ${key.faceValue}::numeric, ${key.faceCurrency},
           ${randomUUID()}, clock_timestamp() + make_interval(secs => ${windowMs / 1000}::float8)
    where ${when}
    on conflict (environment, account, vendor_product_id, face_value, face_currency) where status = 'open' do nothing
    returning id`;
  const ready: AppEvent = { name: "order/batch.ready", data: { batchId: id }, id: `batch-ready:${id}` };
  return { id, insert, ready };
}
