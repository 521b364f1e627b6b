import { z } from "zod";
import { defineContract, jsonResponse, timestamp } from "../contract";
import { decimalString, idParam, isoDate, listOf, pagination } from "./common";

// ---- schemas --------------------------------------------------------------------------------

export const createOrderBody = z.strictObject({
  sku: z.string().min(1).max(64),
  faceValue: decimalString,
  quantity: z.number().int().min(1).max(500).default(1),
  referenceId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
});

export const listOrdersQuery = z.strictObject({
  ...pagination,
  status: z.enum(["pending", "processing", "completed", "failed"]).optional(),
  referenceId: z.string().min(1).max(128).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

export const card = z.object({
  code: z.string(),
  pin: z.string().nullable(),
  serialNumber: z.string().nullable(),
  expiresAt: z.string().nullable(),
});

export const order = z.object({
  id: z.string().describe("ord_…"),
  object: z.literal("order"),
  status: z.enum(["pending", "processing", "completed", "failed"]),
  environment: z.enum(["sandbox", "live"]),
  referenceId: z.string(),
  sku: z.string(),
  faceValue: z.string(),
  faceCurrency: z.string(),
  quantity: z.number().int(),
  unitPrice: z.string(),
  totalPrice: z.string(),
  currency: z.string(),
  cardsDelivered: z.number().int(),
  refundedAmount: z.string(),
  failure: z.object({ code: z.string(), message: z.string().nullable() }).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  completedAt: timestamp.nullable(),
  cards: z.array(card).optional().describe("Present when the order is completed"),
});

export const orderList = listOf(order);

// ---- examples -------------------------------------------------------------------------------

const pendingOrder = {
  id: "ord_01jd7m3k4x9v2c8q5r6t",
  object: "order",
  status: "pending",
  environment: "sandbox",
  referenceId: "po-2026-0001",
  sku: "AMZ-US-25",
  faceValue: "25.00",
  faceCurrency: "USD",
  quantity: 2,
  unitPrice: "24.2500",
  totalPrice: "48.5000",
  currency: "USD",
  cardsDelivered: 0,
  refundedAmount: "0.0000",
  failure: null,
  createdAt: "2026-11-29T10:15:00.000Z",
  updatedAt: "2026-11-29T10:15:00.000Z",
  completedAt: null,
} as const;
const completedOrder = {
  ...pendingOrder,
  status: "completed",
  cardsDelivered: 2,
  updatedAt: "2026-11-29T10:15:04.000Z",
  completedAt: "2026-11-29T10:15:04.000Z",
  cards: [
    { code: "AQ7K-93JD-PL2X", pin: "4821", serialNumber: "SN-000184", expiresAt: "2027-11-29" },
    { code: "ZC4M-18WE-NB6Y", pin: "0375", serialNumber: "SN-000185", expiresAt: "2027-11-29" },
  ],
} as const;

// ---- operations -----------------------------------------------------------------------------

export const createOrder = defineContract({
  method: "POST",
  path: "/api/v1/orders",
  access: "partner",
  tag: "Orders",
  summary: "Order gift cards",
  description:
    "Debits your wallet and places the order with the card supplier in the background (202). Idempotent: the same referenceId (or Idempotency-Key header) with the same body returns the original order; with another body, 409.",
  body: createOrderBody,
  requestExample: { sku: "AMZ-US-25", faceValue: "25.00", quantity: 2, referenceId: "po-2026-0001" },
  idempotencyHeader: true,
  responses: {
    202: jsonResponse(order, "Order accepted", { example: pendingOrder }),
    200: jsonResponse(order, "The same order, replayed", {
      example: pendingOrder,
      headers: { "Idempotent-Replayed": "true: this is the order an earlier request created" },
    }),
  },
  errors: [
    { code: "missing_reference_id", param: "referenceId" },
    { code: "idempotency_key_mismatch", param: "referenceId" },
    "insufficient_funds",
    "product_not_found",
    "reference_conflict",
    "invalid_face_value",
    "invalid_quantity",
    "below_cost",
  ],
});

export const listOrders = defineContract({
  method: "GET",
  path: "/api/v1/orders",
  access: "partner",
  tag: "Orders",
  summary: "List your orders",
  query: listOrdersQuery,
  responses: { 200: jsonResponse(orderList, "A page of orders, newest first", { example: { data: [pendingOrder], hasMore: false, nextCursor: null } }) },
});

export const getOrder = defineContract({
  method: "GET",
  path: "/api/v1/orders/{id}",
  access: "partner",
  tag: "Orders",
  summary: "Get an order, with its cards once completed",
  params: idParam("ord"),
  responses: { 200: jsonResponse(order, "The order", { example: completedOrder }) },
  errors: [{ code: "resource_not_found", description: "No order of yours with this id in this environment.", param: "id" }],
});

export const orderEvent = z.object({
  at: z.string().describe("ISO 8601 time"),
  kind: z.enum(["state", "payment", "refund", "supplier_call", "webhook"]),
  title: z.string(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
});

export const listOrderEvents = defineContract({
  method: "GET",
  path: "/api/v1/orders/{id}/events",
  access: "partner",
  tag: "Orders",
  summary: "The order's timeline: state changes, wallet payment and refunds, supplier calls (masked: no bodies or vendor ids), webhook delivery attempts",
  params: idParam("ord"),
  responses: {
    200: jsonResponse(z.object({ data: z.array(orderEvent) }), "The order's events, oldest first", {
      example: {
        data: [
          {
            at: "2026-11-30T10:00:00.000Z",
            kind: "state",
            title: "Order created",
            detail: { status: "pending", source: "api", quantity: 1, totalPrice: "24.2500", currency: "USD" },
          },
          { at: "2026-11-30T10:00:00.050Z", kind: "payment", title: "Paid from the wallet", detail: { amount: "24.2500", currency: "USD" } },
          {
            at: "2026-11-30T10:00:01.000Z",
            kind: "supplier_call",
            title: "Supplier: place order",
            detail: { attempt: 1, httpStatus: 200, durationMs: 180, error: null },
          },
          { at: "2026-11-30T10:00:03.000Z", kind: "state", title: "Order completed", detail: { status: "completed", cardsDelivered: 1, failureCode: null } },
        ],
      },
    }),
  },
  errors: [{ code: "resource_not_found", description: "No order of yours with this id in this environment.", param: "id" }],
});
