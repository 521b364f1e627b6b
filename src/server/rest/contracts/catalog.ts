import { z } from "zod";
import { defineContract, jsonResponse } from "../contract";
import { listOf, pagination } from "./common";

export const catalogQuery = z.strictObject({
  ...pagination,
  brand: z.string().min(1).max(100).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be a 2-letter country code")
    .optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, "must be a 3-letter currency code")
    .optional(),
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

export const listCatalog = defineContract({
  method: "GET",
  path: "/api/v1/catalog",
  access: "partner",
  tag: "Catalog",
  summary: "List the products you can order, at your price",
  description: "Sandbox keys see the whole mock catalog at the sandbox price list; live keys see exactly the products approved for you.",
  query: catalogQuery,
  responses: {
    200: jsonResponse(catalogList, "A page of products", {
      example: {
        data: [
          {
            sku: "AMZ-US-25",
            name: "Amazon.com $25",
            brand: "Amazon",
            countryCode: "US",
            faceCurrency: "USD",
            denomination: { type: "fixed", faceValue: "25.00" },
            priceCurrency: "USD",
            unitPrice: "24.2500",
          },
          {
            sku: "STEAM-EU-RANGE",
            name: "Steam Wallet (EUR)",
            brand: "Steam",
            countryCode: "DE",
            faceCurrency: "EUR",
            denomination: { type: "range", minFaceValue: "5.00", maxFaceValue: "100.00" },
            priceCurrency: "USD",
            unitPrice: "5.6100",
          },
        ],
        hasMore: true,
        nextCursor: "STEAM-EU-RANGE",
      },
    }),
  },
});
