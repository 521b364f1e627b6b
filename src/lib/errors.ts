/**
 * The one error vocabulary of Steller. Every error raised on purpose is a `DomainError` with a
 * stable snake_case `code` from `ERROR_CODES` below; the code decides the `kind`, and each
 * surface maps kinds once: REST to a status and envelope type (src/server/rest/errors.ts), tRPC
 * to a TRPCError code (the middleware in src/server/trpc/init.ts). The codes are the ones the
 * partner API answers with, so the REST envelope's `code` is the error's `code`.
 *
 * This file imports nothing: the error reference in the docs is generated from `ERROR_CODES`.
 */

/**
 * What went wrong, as far as a caller is concerned. The first seven are what domain code raises;
 * the rest describe requests the HTTP layers refuse before any domain code runs (and the
 * unexpected 500), so every answer of the API has a kind.
 */
export const ERROR_KINDS = {
  invalid: "The request is well-formed but breaks a rule (a face value out of range, a bad URL, an operation not allowed in this state).",
  not_found: "What the request names does not exist, or is not yours (a partner never learns that another partner's resource exists).",
  conflict: "The request clashes with what exists (a taken email, too many endpoints, a disabled endpoint).",
  payment_required: "The wallet does not hold enough funds.",
  forbidden: "You are known but not allowed to do this.",
  rate_limited: "Too many requests or downloads: retry after the time given.",
  unavailable: "The service is busy or restarting: retry shortly.",
  // Raised by the HTTP layers (and, for unauthenticated, by a session that no longer exists).
  malformed: "The request cannot be read as sent: invalid JSON, a missing, mistyped or unknown parameter.",
  unauthenticated: "No valid credentials: the API key (or the session) is missing, malformed, revoked or expired.",
  idempotency_conflict: "The idempotency key (referenceId) was already used for a different request.",
  method_not_allowed: "The path exists but does not support this HTTP method.",
  payload_too_large: "The request body is too large.",
  unsupported_media_type: "The request body is not JSON.",
  internal: "Something went wrong on our side.",
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

interface CodeInfo {
  kind: ErrorKind;
  /** What the code means, for integrators (the error reference shows it). */
  description: string;
}

/**
 * Every error code Steller answers with, its kind and meaning. Add a code here before raising
 * it; a code is never renamed or reused for another meaning (integrators switch on it).
 */
export const ERROR_CODES = {
  // Requests refused before any domain code runs.
  invalid_parameter: {
    kind: "malformed",
    description: "A path, query or body parameter is missing, of the wrong type, out of range or unknown; `param` names it.",
  },
  invalid_json: { kind: "malformed", description: "The request body is not valid JSON." },
  missing_reference_id: {
    kind: "malformed",
    description: "An order needs a referenceId (or an Idempotency-Key header) so a retried request never orders twice.",
  },
  idempotency_key_mismatch: { kind: "malformed", description: "The Idempotency-Key header and the body's referenceId differ." },
  invalid_cursor: { kind: "malformed", description: "startingAfter is not an item of this list." },
  body_too_large: { kind: "payload_too_large", description: "The request body is larger than the API accepts." },
  unsupported_media_type: { kind: "unsupported_media_type", description: "The body must be sent as JSON with Content-Type: application/json." },
  method_not_allowed: { kind: "method_not_allowed", description: "This path does not support the HTTP method; the Allow header lists those it does." },
  not_signed_in: { kind: "unauthenticated", description: "A dashboard download or the admin API without a signed-in session (or admin token)." },
  role_not_allowed: { kind: "forbidden", description: "The signed-in member's role may not do this (statements: owner and finance)." },
  admin_only: { kind: "forbidden", description: "Only platform administrators who passed their second factor may do this." },
  missing_api_key: { kind: "unauthenticated", description: "No API key was sent (x-api-key header or Authorization: Bearer)." },
  invalid_api_key: { kind: "unauthenticated", description: "The API key is malformed or unknown." },
  revoked_api_key: { kind: "unauthenticated", description: "The API key was revoked." },
  expired_api_key: {
    kind: "unauthenticated",
    description: "The API key has expired (its expiry date passed, or its rotation overlap ended); use a current key.",
  },
  account_suspended: { kind: "forbidden", description: "The partner account is suspended." },
  ip_not_allowed: { kind: "forbidden", description: "The request comes from an IP address outside the key's allowlist." },
  rate_limited: { kind: "rate_limited", description: "Too many requests (per API key, per IP, or attempts at a password): retry after Retry-After seconds." },
  resource_not_found: { kind: "not_found", description: "No resource of yours with this id (`param` names the parameter)." },
  service_unavailable: { kind: "unavailable", description: "The service is busy or restarting: retry in a moment." },
  internal_error: { kind: "internal", description: "An unexpected error on our side; contact support with the request id if it persists." },
  response_contract_violation: {
    kind: "internal",
    description: "An answer broke its documented contract (only when API_VALIDATE_RESPONSES is on: tests and debugging).",
  },

  // Orders.
  product_not_found: { kind: "not_found", description: "No product with this SKU is available to you in this environment." },
  order_not_found: { kind: "not_found", description: "No order of yours with this id." },
  order_action_refused: {
    kind: "conflict",
    description: "Order support: the order's state does not allow this action now (the message says why and what to do instead).",
  },
  invalid_face_value: { kind: "invalid", description: "The face value is not a positive decimal string, or not one the product allows." },
  invalid_quantity: { kind: "invalid", description: "The quantity is not a whole number in the allowed range." },
  below_cost: { kind: "invalid", description: "The product cannot be sold at the configured price." },
  reference_conflict: {
    kind: "idempotency_conflict",
    description: "The referenceId was already used for a different order: use a new referenceId for a new order.",
  },

  // Wallets and the ledger.
  insufficient_funds: { kind: "payment_required", description: "The wallet balance is too low for this order: top up the wallet and try again." },
  invalid_amount: { kind: "invalid", description: "The amount is not a plain decimal string with at most 4 decimals in the allowed range." },
  invalid_currency: { kind: "invalid", description: "The currency is not a 3-letter ISO code." },
  currency_mismatch: { kind: "invalid", description: "The account holds another currency than the movement." },
  environment_mismatch: { kind: "invalid", description: "The accounts of a movement belong to different environments." },
  ledger_conflict: { kind: "conflict", description: "The same movement reference was already recorded with different details." },
  account_not_found: { kind: "not_found", description: "No such ledger account." },
  order_debit_not_found: { kind: "not_found", description: "No wallet debit is recorded for the order." },
  refund_exceeds_debit: { kind: "invalid", description: "A refund may not exceed what the order debited." },
  topup_not_found: { kind: "not_found", description: "No such top-up request." },
  topup_invalid_state: { kind: "invalid", description: "The top-up request was already approved or rejected." },
  invalid_ledger_request: {
    kind: "invalid",
    description: "The ledger operation is incomplete or inconsistent (a missing reason, the same account on both sides…).",
  },
  too_many_downloads: { kind: "rate_limited", description: "Too many statement downloads of yours at once: retry when one has finished." },
  statement_downloads_busy: { kind: "unavailable", description: "Too many statement downloads are running: retry shortly." },

  // Webhook endpoints.
  invalid_url: { kind: "invalid", description: "The endpoint URL is not an absolute public http(s) URL without credentials." },
  invalid_events: { kind: "invalid", description: "The events list is empty or names an unknown event type." },
  too_many_endpoints: { kind: "conflict", description: "The environment already has the most webhook endpoints allowed: delete one first." },
  endpoint_unavailable: { kind: "conflict", description: "The endpoint is disabled or deleted, so nothing can be sent to it." },

  // API keys.
  invalid_ip_allowlist: { kind: "invalid", description: "An IP allowlist entry is not an IPv4/IPv6 address or CIDR range." },
  invalid_overlap: { kind: "invalid", description: "overlapSeconds must be a whole number of seconds from 0 to 2592000 (30 days)." },
  key_not_self: { kind: "forbidden", description: "An API key may manage only itself; manage other keys in the dashboard." },

  // Accounts (signup, the dashboard's password change).
  email_taken: { kind: "conflict", description: "An account with this email already exists: sign in instead." },
  wrong_password: { kind: "invalid", description: "The current password is wrong." },
  weak_password: { kind: "invalid", description: "The new password is too short, too long, or the same as the current one." },
  user_not_found: { kind: "unauthenticated", description: "The signed-in user no longer exists." },

  // Going live.
  live_access_required: { kind: "forbidden", description: "Live API keys need live access: request it from the dashboard (Go live) and wait for approval." },
  email_not_verified: { kind: "forbidden", description: "Verify your email address (the link in the welcome email) first." },
  go_live_pending: { kind: "conflict", description: "A go-live request is already waiting for review, or live access is already granted." },
  go_live_request_not_found: { kind: "not_found", description: "No such go-live request." },
  go_live_already_decided: { kind: "conflict", description: "The go-live request was already approved or rejected." },

  // Partners managed by an admin.
  partner_status_unchanged: { kind: "conflict", description: "The partner is already in that status (suspended or active)." },

  // Team (the dashboard's members and invitations).
  last_owner: { kind: "conflict", description: "A partner always keeps at least one owner: make someone else owner first." },
  already_member: { kind: "conflict", description: "This person is already a member of the partner, or already has an open invitation." },
  invitation_unavailable: { kind: "invalid", description: "The invitation link expired, was already used or was revoked: ask for a new invitation." },

  // Agency network: sub-agents (issue 18).
  sub_agent_api_refused: {
    kind: "forbidden",
    description: "This key belongs to a sub-agent: sub-agents sell through the Steller dashboard only, and the API does not accept their keys.",
  },

  // Agency network: agents, sub-agents, their money and limits (issue 18).
  not_an_agent: { kind: "forbidden", description: "Only an agent's team can manage sub-agents, fund them or move commission." },
  agency_hierarchy_invalid: {
    kind: "invalid",
    description: "The change would break the agency network's shape (two levels: agents, then sub-agents; an agent with sub-agents cannot be moved).",
  },
  agent_suspended: { kind: "forbidden", description: "The agent this sub-agent belongs to is suspended: its sub-agents cannot sell until it is reactivated." },
  sale_over_per_order_cap: { kind: "invalid", description: "The sale costs more than the sub-agent's per-order limit set by its agent; nothing was charged." },
  sale_over_daily_cap: { kind: "invalid", description: "The sale would take the sub-agent past its daily sales limit set by its agent; nothing was charged." },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface DomainErrorOptions {
  /** The input field at fault (the API's `param`; a form shows the message beside that field). */
  param?: string;
  /** For rate_limited and unavailable: when to try again. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * An error raised on purpose, with a stable code from `ERROR_CODES` and the kind that code has.
 * Its message is meant for the caller (an integrator or a dashboard user): say what to do.
 * Modules subclass it to narrow the codes they raise (`OrderError`, `KeyError`…) or throw it as is.
 */
export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  /** The code's kind (ERROR_CODES), which decides the HTTP status and the TRPCError code. */
  readonly kind: ErrorKind;
  readonly param?: string;
  readonly retryAfterSeconds?: number;

  constructor(code: C, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError"; // subclasses set theirs (a literal: bundlers may rename classes)
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    if (options.param !== undefined) this.param = options.param;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
