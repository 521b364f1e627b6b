import { ZodError } from "zod";
import { isDatabaseUnavailable } from "@/server/db/client";
import { KeyError } from "@/server/keys";
import { LedgerError } from "@/server/ledger";
import { OrderError } from "@/server/orders/errors";
import { WebhookError } from "@/server/webhooks/types";

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
}

export const notFound = (what: string, id: string, param?: string) =>
  new ApiError(404, "not_found_error", "resource_not_found", `No ${what} with id "${id}"`, param);

function describeZod(error: ZodError): { message: string; param?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: "The request is invalid" };
  const param = issue.path.join(".") || undefined;
  const extra = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  let message = issue.message;
  if (issue.code === "unrecognized_keys") message = `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  else if (issue.code === "invalid_type" && issue.message.includes("received undefined")) message = `${param ?? "value"} is required`;
  else if (param) message = `${param}: ${issue.message}`;
  return { message: message + extra, param };
}

const ORDER_STATUS: Record<OrderError["code"], [number, ApiErrorType]> = {
  product_not_found: [404, "not_found_error"],
  invalid_face_value: [422, "invalid_request_error"],
  invalid_quantity: [422, "invalid_request_error"],
  reference_conflict: [409, "idempotency_error"],
  order_not_found: [404, "not_found_error"],
  below_cost: [422, "invalid_request_error"],
  invalid_request: [400, "invalid_request_error"],
};

/** Maps any error to an ApiError; unknown errors become a 500 without internals. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) {
    const { message, param } = describeZod(error);
    return new ApiError(400, "invalid_request_error", "invalid_parameter", message, param);
  }
  if (error instanceof OrderError) {
    const [status, type] = ORDER_STATUS[error.code];
    return new ApiError(status, type, error.code, error.message, error.param);
  }
  if (error instanceof LedgerError) {
    if (error.code === "insufficient_funds") {
      const e = error as LedgerError & { currency?: string };
      return new ApiError(402, "payment_error", "insufficient_funds", `Your ${e.currency ?? ""} wallet balance is too low for this order. Top up your wallet and try again.`.replace("  ", " "));
    }
    return new ApiError(422, "invalid_request_error", error.code, error.message);
  }
  if (error instanceof WebhookError) {
    switch (error.code) {
      case "endpoint_not_found":
      case "delivery_not_found":
        return new ApiError(404, "not_found_error", "resource_not_found", error.message, "id");
      case "endpoint_unavailable":
        return new ApiError(409, "conflict_error", error.code, error.message, error.param);
      case "too_many_endpoints":
        return new ApiError(409, "conflict_error", error.code, error.message);
      default:
        return new ApiError(422, "invalid_request_error", error.code, error.message, error.param);
    }
  }
  if (error instanceof KeyError) {
    if (error.code === "key_not_found") return new ApiError(404, "not_found_error", "resource_not_found", error.message, "id");
    if (error.code === "key_not_self") return new ApiError(403, "permission_error", error.code, error.message, "id");
    return new ApiError(422, "invalid_request_error", error.code, error.message);
  }
  // A query that timed out, found no free connection, or met a restarting database: retry shortly.
  if (isDatabaseUnavailable(error)) {
    return new ApiError(503, "api_error", "service_unavailable", "The service is busy or restarting; retry in a moment.", undefined, { "Retry-After": "1" });
  }
  return new ApiError(500, "api_error", "internal_error", "Something went wrong on our side. Retry later; contact support with the request id if it persists.");
}

export function errorResponse(error: ApiError, requestId: string): Response {
  return Response.json(
    { error: { type: error.type, code: error.code, message: error.message, ...(error.param ? { param: error.param } : {}), requestId } },
    { status: error.status, headers: { ...error.headers, "x-request-id": requestId, "cache-control": "no-store" } },
  );
}
