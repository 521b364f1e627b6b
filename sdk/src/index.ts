/**
 * Steller's typed SDK: openapi-fetch over the types generated from /api/v1/openapi.json
 * (src/generated/schema.d.ts, written by scripts/sdk-generate.ts). Every path, parameter, body
 * and answer is typed from the API's own contract; a renamed field fails to compile.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./generated/schema";

export type { components, operations, paths };
export type StellerClient = Client<paths>;

/** The error envelope every failed call answers with: `{ error: { type, code, message, param?, requestId } }`. */
export interface StellerErrorBody {
  error: { type: string; code: string; message: string; param?: string; requestId: string };
}

/** Thrown by the helpers below (the raw client returns `{ data, error, response }` instead). */
export class StellerError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param?: string;
  readonly requestId?: string;
  constructor(status: number, body: unknown) {
    const e = (body as Partial<StellerErrorBody> | undefined)?.error;
    super(e?.message ?? `HTTP ${status}`);
    this.name = "StellerError";
    this.status = status;
    this.type = e?.type ?? "api_error";
    this.code = e?.code ?? "unknown";
    this.param = e?.param;
    this.requestId = e?.requestId;
  }
}

export interface StellerOptions extends Omit<ClientOptions, "baseUrl"> {
  /** `stlr_test_…` (sandbox) or `stlr_live_…`. Optional only for the public signup call. */
  apiKey?: string;
  /** The app's origin, e.g. `http://localhost:3000` (paths already start with /api/v1). */
  baseUrl: string;
}

/** A typed client: `steller.GET("/api/v1/orders/{id}", { params: { path: { id } } })`. */
export function createSteller({ apiKey, baseUrl, headers, ...rest }: StellerOptions): StellerClient {
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { ...(apiKey ? { "x-api-key": apiKey } : {}), ...(headers as Record<string, string> | undefined) },
    ...rest,
  });
}

/** Returns `data`, or throws a StellerError carrying the API's error code. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || data === undefined) throw new StellerError(response.status, error);
  return data;
}

/** An order as GET /api/v1/orders/{id} answers it. */
export type Order = paths["/api/v1/orders/{id}"]["get"]["responses"][200]["content"]["application/json"];

async function getOrder(client: StellerClient, id: string): Promise<Order> {
  return unwrap(client.GET("/api/v1/orders/{id}", { params: { path: { id } } }));
}

/** An order stops moving at `completed` (all or some cards delivered: compare cardsDelivered with quantity) or `failed`. */
const FINAL = new Set<Order["status"]>(["completed", "failed"]);

/**
 * Polls an order until it reaches a final state (completed or failed) and
 * returns it. Prefer webhooks in production; polling is fine in the sandbox and as a fallback.
 */
export async function waitForOrder(
  client: StellerClient,
  id: string,
  { intervalMs = 1_000, timeoutMs = 120_000 }: { intervalMs?: number; timeoutMs?: number } = {},
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await getOrder(client, id);
    if (FINAL.has(order.status)) return order;
    if (Date.now() > deadline) throw new Error(`Order ${id} still ${order.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
