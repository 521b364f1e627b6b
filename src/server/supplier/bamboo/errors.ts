/**
 * Our own failure codes for vendor refusals. Vendor wording never reaches partners: the order
 * engine shows `VENDOR_FAILURES[code].message` (or its own text) instead.
 */
export type VendorFailureCode =
  | "vendor_account_error"
  | "vendor_insufficient_funds"
  | "vendor_auth_failed"
  | "product_not_available"
  | "invalid_denomination"
  | "quantity_limit_exceeded"
  | "out_of_stock"
  | "vendor_rejected"
  | "vendor_order_failed";

export const VENDOR_FAILURES: Record<VendorFailureCode, { message: string; platformSide: boolean }> = {
  // platformSide: our configuration or funding is at fault, not the partner's request.
  vendor_account_error: { message: "The card supplier is temporarily unavailable.", platformSide: true },
  vendor_insufficient_funds: { message: "The card supplier is temporarily unavailable.", platformSide: true },
  vendor_auth_failed: { message: "The card supplier is temporarily unavailable.", platformSide: true },
  product_not_available: { message: "This product is not available.", platformSide: false },
  invalid_denomination: { message: "This amount is not available for this product.", platformSide: false },
  quantity_limit_exceeded: { message: "Too many cards in one order.", platformSide: false },
  out_of_stock: { message: "This product is out of stock.", platformSide: false },
  vendor_rejected: { message: "The card supplier refused the order.", platformSide: false },
  vendor_order_failed: { message: "The card supplier could not fulfil the order.", platformSide: false },
};

const REASONS: Array<[string, VendorFailureCode]> = [
  ["WrongAccount", "vendor_account_error"],
  ["InsufficientBalance", "vendor_insufficient_funds"],
  ["InvalidProductIds", "product_not_available"],
  ["InvalidDenomination", "invalid_denomination"],
  ["CardsLimitExceeded", "quantity_limit_exceeded"],
  ["ProductIsOutOfStock", "out_of_stock"],
];

/** Maps a vendor 400 message (`{"message":"InsufficientBalance"}` or a sentence containing it) to our code. */
export function mapVendorReason(message: string | null | undefined): VendorFailureCode {
  const m = (message ?? "").toLowerCase();
  for (const [reason, code] of REASONS) if (m.includes(reason.toLowerCase())) return code;
  return "vendor_rejected";
}

export function isOrderAlreadyExists(message: string | null | undefined): boolean {
  return (message ?? "").toLowerCase().includes("orderalreadyexists");
}

export type VendorErrorKind =
  | "malformed_response" // the answer did not match what we expect (recorded, never guessed)
  | "unauthorized" // 401: our credentials (for a placement: unknown, the order may exist)
  | "rejected" // a documented refusal (400 with the vendor's `{"message"}`), `code` says which
  | "deferred" // the shared limiter's slot is further than the call may wait: try after `retryAfterMs`
  | "rate_limited" // still 429 after every attempt
  | "unavailable" // still 5xx after every attempt
  | "timeout"
  | "network"
  | "unexpected_status"
  | "invalid_input"; // our own call broke the client's contract (a bug on our side): nothing was sent

/** Every vendor problem the client reports is one of these; callers switch on `kind`. */
export class VendorError extends Error {
  readonly kind: VendorErrorKind;
  readonly status: number | null;
  readonly code: VendorFailureCode | null;
  /** When to try again (a deferred call, a vendor-asked wait, a backoff past the wait budget); null: the caller's own backoff. */
  readonly retryAfterMs: number | null;
  /** Whether a request of this logical call reached the wire (false: nothing was sent, so nothing can have been bought). */
  readonly sent: boolean;

  constructor(
    kind: VendorErrorKind,
    message: string,
    opts: { status?: number | null; code?: VendorFailureCode | null; cause?: unknown; retryAfterMs?: number | null; sent?: boolean } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "VendorError";
    this.kind = kind;
    this.status = opts.status ?? null;
    this.code = opts.code ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.sent = opts.sent ?? kind !== "deferred";
  }

  /** Worth trying again later (the vendor or the network, not the request, was at fault). */
  get retryable(): boolean {
    return ["rate_limited", "unavailable", "timeout", "network", "malformed_response", "unexpected_status", "unauthorized", "deferred"].includes(this.kind);
  }
}

/**
 * Whether a non-2xx answer is one of the vendor's documented refusals: a 400 whose body is the
 * vendor's `{"message": "…"}` (a known reason or a validation message). Nothing else is: a 401,
 * 403, 404, 408, 409, or any answer that is not the vendor's JSON (a gateway's HTML page) may
 * come from something in front of the vendor after the vendor took the order.
 */
export function isDocumentedRefusal(status: number, message: string | null): boolean {
  return status === 400 && message !== null && message.trim() !== "";
}

/** Reads the wait the vendor asks for: `Retry-After` (seconds or a date) or "… Please wait for N seconds". */
export function parseRetryAfterMs(body: string, retryAfter: string | null, now = Date.now()): number | null {
  const m = /wait\s+for\s+(\d+(?:\.\d+)?)\s*sec/i.exec(body);
  if (m) return Math.ceil(Number(m[1]) * 1000);
  if (retryAfter) {
    const s = retryAfter.trim();
    if (/^\d+(\.\d+)?$/.test(s)) return Math.ceil(Number(s) * 1000);
    const at = Date.parse(s);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return null;
}
