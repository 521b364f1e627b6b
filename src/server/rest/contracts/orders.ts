import { z } from "zod";
import { decimalString, isoDate, listOf, pagination } from "./common";

export const createOrderBody = z.strictObject({
  sku: z.string().min(1).max(64),
  faceValue: decimalString,
  quantity: z.number().int().min(1).max(500).default(1),
  referenceId: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces").optional(),
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
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
  cards: z.array(card).optional().describe("Present when the order is completed"),
});

export const orderList = listOf(order);
