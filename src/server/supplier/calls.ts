import { asc, eq, inArray, or } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { vendorCalls } from "@/server/db/schema";
import { maskVendorBody } from "./mask";

export type VendorCallKind = "catalog" | "accounts" | "place_order" | "get_order";

export interface VendorCallRecord {
  vendor: string;
  account: string;
  kind: VendorCallKind;
  method: string;
  endpoint: string;
  attempt: number;
  status: number | null;
  durationMs: number;
  startedAt: Date;
  orderId?: string | null;
  requestId?: string | null;
  requestBody?: string | null;
  responseBody?: string | null;
  errorKind?: string | null;
  error?: string | null;
}

/** Records one HTTP attempt to the vendor; bodies are masked here so no caller can forget. Returns its id. */
export async function recordVendorCall(db: DbOrTx, call: VendorCallRecord): Promise<string> {
  const id = newId("vcl");
  await db.insert(vendorCalls).values({
    id,
    ...call,
    durationMs: Math.round(call.durationMs),
    requestBody: maskVendorBody(call.requestBody),
    responseBody: maskVendorBody(call.responseBody),
  });
  return id;
}

/** Adds what we made of an answer (malformed, refused) to its recorded call. */
export async function noteVendorCallError(db: DbOrTx, callId: string, errorKind: string, error: string): Promise<void> {
  await db.update(vendorCalls).set({ errorKind, error }).where(eq(vendorCalls.id, callId));
}

/** The vendor calls made for one of our orders, oldest first (bodies already masked), for the admin's order detail. */
export async function listVendorCallsForOrder(db: DbOrTx, orderId: string) {
  return db.select().from(vendorCalls).where(eq(vendorCalls.orderId, orderId)).orderBy(asc(vendorCalls.startedAt));
}

/**
 * The vendor calls made for an order, oldest first (bodies already masked): those logged under its
 * id or its request id, and, for a batched order, its vendor batch's (logged under the batch's id
 * and request id: a batch's placement and polls are the calls made for every member).
 */
export async function listVendorCallsForOrderOrBatch(db: DbOrTx, q: { orderIds: string[]; requestIds: string[] }, limit = 500) {
  return db
    .select()
    .from(vendorCalls)
    .where(or(inArray(vendorCalls.orderId, q.orderIds), inArray(vendorCalls.requestId, q.requestIds)))
    .orderBy(asc(vendorCalls.startedAt))
    .limit(limit);
}
