/** Errors the order engine raises on purpose; `code` is stable and the API maps it to a status. */
export class OrderError extends Error {
  constructor(
    readonly code:
      | "product_not_found"
      | "invalid_face_value"
      | "invalid_quantity"
      | "reference_conflict"
      | "order_not_found"
      | "below_cost"
      | "invalid_request",
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = "OrderError";
  }
}
