import { z } from "zod";
import { toDecimalString } from "../json";

/*
 * Response schemas. Bodies are parsed with `parseJsonKeepingNumbers`, so every JSON number
 * arrives here as a string holding its literal digits: money becomes a decimal string, ids and
 * counts a safe integer. A vendor sending a number as a quoted string is accepted the same way.
 */

const decimal = z.string().transform((s, ctx) => {
  const d = toDecimalString(s);
  if (d === null) {
    ctx.addIssue({ code: "custom", message: `not a number: ${s.slice(0, 40)}` });
    return z.NEVER;
  }
  return d;
});

const int = z.string().transform((s, ctx) => {
  const n = /^-?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: "custom", message: `not an integer: ${s.slice(0, 40)}` });
    return z.NEVER;
  }
  return n;
});

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

const catalogProductSchema = z.object({
  id: int,
  name: z.string(),
  minFaceValue: decimal,
  maxFaceValue: decimal,
  count: int.nullish().transform((v) => v ?? null),
  price: z.object({ min: decimal, max: decimal, currencyCode: z.string().min(3) }),
  modifiedDate: text,
});

const catalogBrandSchema = z.object({
  internalId: z.union([z.string(), int]).transform(String),
  name: z.string(),
  countryCode: z.string(),
  currencyCode: z.string(),
  description: text,
  disclaimer: text,
  redemptionInstructions: text,
  terms: text,
  logoUrl: text,
  modifiedDate: text,
  products: z.array(catalogProductSchema),
});

export const catalogPageSchema = z.object({
  pageIndex: int,
  pageSize: int,
  count: int,
  items: z.array(catalogBrandSchema),
});

const accountSchema = z.object({
  id: int,
  currency: z.string().min(3),
  balance: decimal,
  isActive: z
    .boolean()
    .nullish()
    .transform((v) => v ?? true),
});

// The accounts answer is not documented; accept a bare list or `{ accounts: [...] }`.
export const accountsSchema = z.union([z.array(accountSchema), z.object({ accounts: z.array(accountSchema) }).transform((o) => o.accounts)]);

const orderStatusSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(["created", "processing", "pending", "succeeded", "failed", "partialfailed"]));

const cardSchema = z.object({
  id: int,
  serialNumber: text,
  cardCode: z.string().min(1),
  pin: z.union([z.string(), z.null(), z.undefined()]).transform((v) => v ?? null),
  expirationDate: text,
  status: text,
});

export const orderSchema = z.object({
  orderId: int,
  requestId: z.string(),
  status: orderStatusSchema,
  total: decimal.nullish().transform((v) => v ?? null),
  currency: text,
  errorMessage: text,
  items: z
    .array(
      z.object({
        productId: int,
        productFaceValue: decimal,
        quantity: int,
        cards: z
          .array(cardSchema)
          .nullish()
          .transform((v) => v ?? []),
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});

/** A 400/429 answer: `{"message": "…"}`. */
export const messageSchema = z.object({ message: z.string() });

/** Place order answers the request id as a bare JSON string. */
export const placeOrderAnswerSchema = z.string().min(1);
