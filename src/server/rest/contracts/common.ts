import { z } from "zod";

/** Cursor pagination: `limit` (1–100, default 20) and `startingAfter` (the last id seen). */
export const pagination = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  startingAfter: z.string().min(1).max(64).optional(),
};

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), hasMore: z.boolean(), nextCursor: z.string().nullable() });

export const decimalString = z.string().regex(/^\d{1,15}(\.\d{1,4})?$/, 'must be a decimal string such as "25.00" (at most 4 decimals)');

export const currencyCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code such as "USD"')
  .transform((s) => s.toUpperCase());

export const isoDate = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((s) => new Date(s));

export const idParam = (prefix: string) =>
  z.strictObject({ id: z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{1,40}$`), `must be an id starting with ${prefix}_`) });

export const errorEnvelope = z.object({
  error: z.object({
    type: z.string(),
    code: z.string(),
    message: z.string(),
    param: z.string().optional(),
    requestId: z.string(),
  }),
});
