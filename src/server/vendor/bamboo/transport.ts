import type { Db } from "@/server/db/client";
import { recordVendorCall, type VendorCallKind } from "../calls";
import { pushBackSlots, sleep, waitForSlot } from "../rate-limit";
import type { BambooConfig } from "./config";
import { parseRetryAfterMs, VendorError } from "./errors";

export interface VendorRequest {
  kind: VendorCallKind;
  method: "GET" | "POST";
  /** Path after the base URL, with query string: `/api/integration/v1.0/accounts`. */
  path: string;
  body?: string;
  orderId?: string | null;
  requestId?: string | null;
  /** Extra limiter keys (besides the kind's own), each with its spacing; waited for first. */
  extraSlots?: Array<{ key: string; spacingMs: number }>;
}

export interface VendorResponse {
  status: number;
  text: string;
  /** The vendor_calls row of the attempt that produced this answer. */
  callId: string;
}

/** The limiter key prefix: limits are per vendor account (host + client id), shared by all instances. */
export function accountKey(config: BambooConfig): string {
  return `bamboo:${new URL(config.baseUrl).host}:${config.clientId}`;
}

function spacingFor(config: BambooConfig, kind: VendorCallKind): number {
  const l = config.limits;
  return kind === "place_order" ? l.placeOrderMs : kind === "get_order" ? l.getOrderMs : kind === "catalog" ? l.catalogMs : l.otherMs;
}

function backoffMs(config: BambooConfig, attempt: number): number {
  const { baseDelayMs, maxDelayMs } = config.retry;
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Sends one logical vendor call: waits for the shared rate-limit slot, records every attempt in
 * vendor_calls, honours 429 waits (and pushes the shared slot back for every instance), retries
 * 5xx, timeouts and network errors with bounded exponential backoff. Any other status is
 * returned for the caller to interpret. Repeating the same request is safe for every call we
 * make: reads are reads, and a placement carries the same RequestId each time.
 */
export async function sendVendorRequest(db: Db, config: BambooConfig, req: VendorRequest): Promise<VendorResponse> {
  const account = accountKey(config);
  const slotKey = `${account}:${req.kind}`;
  const url = config.baseUrl + req.path;
  const authorization = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`;
  let lastError: VendorError | null = null;

  for (let attempt = 1; attempt <= config.retry.maxAttempts; attempt++) {
    for (const s of req.extraSlots ?? []) await waitForSlot(db, s.key, s.spacingMs);
    // The send time on the database clock, as the shared limiter granted it.
    const startedAt = await waitForSlot(db, slotKey, spacingFor(config, req.kind));
    const t0 = performance.now();
    let status: number | null = null;
    let text: string | null = null;
    let retryAfter: string | null = null;
    let failure: VendorError | null = null;
    try {
      const res = await (config.fetch ?? fetch)(url, {
        method: req.method,
        headers: { authorization, accept: "application/json", ...(req.body ? { "content-type": "application/json" } : {}) },
        body: req.body,
        signal: AbortSignal.timeout(config.retry.timeoutMs),
      });
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      text = await res.text();
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      failure = timedOut
        ? new VendorError("timeout", `no answer within ${config.retry.timeoutMs} ms`, { cause: e, status })
        : new VendorError("network", `network error: ${e instanceof Error ? e.message : String(e)}`, { cause: e, status });
    }

    if (status === 429) failure = new VendorError("rate_limited", "vendor rate limit", { status });
    else if (status !== null && status >= 500) failure = new VendorError("unavailable", `vendor answered ${status}`, { status });

    const callId = await recordVendorCall(db, {
      vendor: "bamboo",
      account,
      kind: req.kind,
      method: req.method,
      endpoint: req.path,
      attempt,
      status,
      durationMs: performance.now() - t0,
      startedAt,
      orderId: req.orderId,
      requestId: req.requestId,
      requestBody: req.body ?? null,
      responseBody: text,
      errorKind: failure?.kind ?? null,
      error: failure?.message ?? null,
    });

    if (!failure) return { status: status!, text: text!, callId };
    lastError = failure;
    if (attempt === config.retry.maxAttempts) break;

    if (failure.kind === "rate_limited") {
      const waitMs = parseRetryAfterMs(text ?? "", retryAfter) ?? backoffMs(config, attempt);
      // Everyone using this account waits, not only us; our next slot comes after the push.
      await pushBackSlots(db, slotKey, waitMs);
    } else {
      await sleep(backoffMs(config, attempt));
    }
  }
  throw lastError!;
}
