import { z } from "zod";
import { listOf, pagination } from "./common";

export const catalogQuery = z.strictObject({
  ...pagination,
  brand: z.string().min(1).max(100).optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, "must be a 2-letter country code").optional(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, "must be a 3-letter currency code").optional(),
});

export const product = z.object({
  sku: z.string(),
  name: z.string(),
  brand: z.string(),
  countryCode: z.string(),
  faceCurrency: z.string(),
  denomination: z.union([
    z.object({ type: z.literal("fixed"), faceValue: z.string() }),
    z.object({ type: z.literal("range"), minFaceValue: z.string(), maxFaceValue: z.string() }),
  ]),
  priceCurrency: z.string(),
  unitPrice: z.string().describe("Price of one card at the (minimum) face value"),
});

export const catalogList = listOf(product);
