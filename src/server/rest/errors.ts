import { ZodError } from "zod";
import { DomainError, ERROR_CODES, type ErrorCode, type ErrorKind } from "@/lib/errors";
import { describeZodError } from "@/lib/zod-issues";
import { isDatabaseUnavailable } from "@/server/db/client";

export type ApiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "idempotency_error"
  | "payment_error"
  | "rate_limit_error"
  | "api_error";

/** The one table: how the partner API answers each kind of error (src/lib/errors.ts). */
export const HTTP_BY_KIND = {
  malformed: { status: 400, type: "invalid_request_error" },
  unauthenticated: { status: 401, type: "authentication_error" },
  payment_required: { status: 402, type: "payment_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  conflict: { status: 409, type: "conflict_error" },
  idempotency_conflict: { status: 409, type: "idempotency_error" },
  payload_too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  invalid: { status: 422, type: "invalid_request_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  internal: { status: 500, type: "api_error" },
  unavailable: { status: 503, type: "api_error" },
} as const satisfies Record<ErrorKind, { status: number; type: ApiErrorType }>;

/** How the API answers an error code: its HTTP status and envelope type. */
export const httpErrorOf = (code: ErrorCode) => HTTP_BY_KIND[ERROR_CODES[code].kind];

/** Every error code with its kind, HTTP status, envelope type and meaning: the docs' error reference. */
export const ERROR_REFERENCE: ReadonlyArray<{ code: ErrorCode; kind: ErrorKind; status: number; type: ApiErrorType; description: string }> = (
  Object.keys(ERROR_CODES) as ErrorCode[]
).map((code) => ({ code, kind: ERROR_CODES[code].kind, ...httpErrorOf(code), description: ERROR_CODES[code].description }));

/** The one error the partner API answers with: `{ error: { type, code, message, param?, requestId } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The API's answer for a code of src/lib/errors.ts: status and type come from the code's kind. */
  static of(code: ErrorCode, message: string, opts: { param?: string; headers?: Record<string, string> } = {}): ApiError {
    const { status, type } = httpErrorOf(code);
    return new ApiError(status, type, code, message, opts.param, opts.headers);
  }
}

export const notFound = (what: string, id: string, param?: string) => new DomainError("resource_not_found", `No ${what} with id "${id}"`, { param });

const INTERNAL_MESSAGE = "Something went wrong on our side. Retry later; contact support with the request id if it persists.";

/**
 * Any error in our vocabulary: ours as they are, zod's and the database's in our words, anything
 * else an internal error whose message is never shown.
 */
function asDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof ZodError) {
    const { message, param } = describeZodError(error);
    return new DomainError("invalid_parameter", message, { param, cause: error });
  }
  // A query that timed out, found no free connection, or met a restarting database: retry shortly.
  if (isDatabaseUnavailable(error)) {
    return new DomainError("service_unavailable", "The service is busy or restarting; retry in a moment.", { retryAfterSeconds: 1, cause: error });
  }
  return new DomainError("internal_error", INTERNAL_MESSAGE, { cause: error });
}

/** Maps any error to an ApiError through the kind table; unknown errors become a 500 without internals. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = asDomainError(error);
  const { status, type } = HTTP_BY_KIND[e.kind];
  const headers = e.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(e.retryAfterSeconds) };
  return new ApiError(status, type, e.code, e.message, e.param, headers);
}

export function errorResponse(error: ApiError, requestId: string): Response {
  return Response.json(
    { error: { type: error.type, code: error.code, message: error.message, ...(error.param ? { param: error.param } : {}), requestId } },
    { status: error.status, headers: { ...error.headers, "x-request-id": requestId, "cache-control": "no-store" } },
  );
}
