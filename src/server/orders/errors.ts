import { DomainError } from "@/lib/errors";

export type OrderErrorCode =
  | "product_not_found"
  | "invalid_face_value"
  | "invalid_quantity"
  | "reference_conflict"
  | "order_not_found"
  | "below_cost"
  | "agent_suspended"
  | "sale_over_per_order_cap"
  | "sale_over_daily_cap";

/** Errors the order engine raises on purpose (codes and kinds: src/lib/errors.ts). */
export class OrderError extends DomainError<OrderErrorCode> {
  constructor(code: OrderErrorCode, message: string, param?: string) {
    super(code, message, { param });
    this.name = "OrderError";
  }
}
