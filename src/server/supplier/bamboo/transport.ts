import type { Db } from "@/server/db/client";
import { recordVendorCall, type VendorCallKind } from "../calls";
import { acquireSlots, pushBackSlots, sleep, SlotWaitTooLong } from "../rate-limit";
import { DEFAULT_RETRY, type BambooConfig } from "./config";
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
  /** Fewer attempts than the configured ones (e.g. a one-shot re-check). */
  maxAttempts?: number;
  /** A smaller in-process wait budget than the configured one. */
  maxWaitMs?: number;
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
 * Sends one logical vendor call: waits for the shared rate-limit slots, records every attempt in
 * vendor_calls, honours 429 waits (capped at `maxVendorWaitMs`, and pushing the shared slot back
 * for every instance), retries 5xx, timeouts and network errors with bounded exponential backoff.
 * Any other status is returned for the caller to interpret. Repeating the same request is safe
 * for every call we make: reads are reads, and a placement carries the same RequestId each time.
 *
 * Bounded: the waiting done in process (slots and backoff) ends within `maxWaitMs`, and each
 * attempt within `timeoutMs`, so a call takes at most maxWaitMs + maxAttempts × timeoutMs (plus
 * our own database writes). A longer wait throws a VendorError carrying `retryAfterMs`, for the
 * job engine to retry the step then (`kind: "deferred"` when nothing was sent). Slots are held
 * for the call's request id, so a deferred placement or poll keeps its place in the queue.
 */
export async function sendVendorRequest(db: Db, config: BambooConfig, req: VendorRequest): Promise<VendorResponse> {
  const account = accountKey(config);
  const slotKey = `${account}:${req.kind}`;
  const url = config.baseUrl + req.path;
  const authorization = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`;
  const maxAttempts = Math.min(config.retry.maxAttempts, req.maxAttempts ?? Infinity);
  const budgetMs = Math.min(config.retry.maxWaitMs ?? DEFAULT_RETRY.maxWaitMs, req.maxWaitMs ?? Infinity);
  const deadline = performance.now() + budgetMs;
  let lastError: VendorError | null = null;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    // The send time on the database clock, as the shared limiter granted it.
    let startedAt: Date;
    try {
      startedAt = await acquireSlots(db, [...(req.extraSlots ?? []), { key: slotKey, spacingMs: spacingFor(config, req.kind) }], {
        holder: req.requestId ?? undefined,
        deadline,
        budgetMs,
      });
    } catch (e) {
      if (!(e instanceof SlotWaitTooLong)) throw e;
      // A call already sent in this logical call may have reached the vendor: say what we know.
      throw new VendorError("deferred", lastError ? `${lastError.message}; then ${e.message}` : e.message, {
        cause: lastError ?? e,
        status: lastError?.status ?? null,
        retryAfterMs: e.retryAfterMs,
        sent: lastError !== null,
      });
    }
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

    const durationMs = performance.now() - t0;
    let waitMs: number | null = null;
    if (status === 429) {
      // The vendor's own wait, capped: a garbled or hostile "wait for 999999 seconds" must not stall every instance.
      const asked = parseRetryAfterMs(text ?? "", retryAfter);
      waitMs = asked === null ? backoffMs(config, attempt) : Math.min(asked, config.retry.maxVendorWaitMs ?? DEFAULT_RETRY.maxVendorWaitMs);
      failure = new VendorError("rate_limited", "vendor rate limit", { status, retryAfterMs: waitMs });
      // Everyone using this account waits, not only us, and from now: the push comes before this
      // attempt is recorded, so no other instance takes a slot in between (our own next slot comes
      // after it, and if that is beyond our budget, the next acquireSlots defers the call).
      await pushBackSlots(db, slotKey, waitMs);
    } else if (status !== null && status >= 500) {
      failure = new VendorError("unavailable", `vendor answered ${status}`, { status });
    }

    const callId = await recordVendorCall(db, {
      vendor: "bamboo",
      account,
      kind: req.kind,
      method: req.method,
      endpoint: req.path,
      attempt,
      status,
      durationMs,
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
    if (attempt === maxAttempts) break;

    if (waitMs === null) {
      const pause = backoffMs(config, attempt);
      if (performance.now() + pause > deadline) {
        throw new VendorError(failure.kind, failure.message, { cause: failure, status: failure.status, retryAfterMs: pause, sent: true });
      }
      await sleep(pause);
    }
  }
  throw lastError!;
}
