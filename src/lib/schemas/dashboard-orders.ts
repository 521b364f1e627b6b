import { z } from "zod";

export const ORDER_STATUSES = ["pending", "processing", "completed", "failed"] as const;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-30.");
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);

/**
 * The orders list's filters: what the dashboard keeps in the URL and the procedure checks. Dates
 * are whole UTC days (`to` included).
 */
export const orderFilters = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  sku: optionalText(64),
  referenceId: optionalText(128),
  q: optionalText(128),
  from: day.optional(),
  to: day.optional(),
  /** "created" oldest first, "-created" newest first (default). */
  sort: z.enum(["created", "-created"]).optional(),
});

export type OrderFilters = z.infer<typeof orderFilters>;

/** The filters found in a URL's query, invalid values dropped (a hand-edited URL still opens). */
export function filtersFromParams(params: Record<string, string>): OrderFilters {
  const out: Record<string, string> = {};
  for (const key of Object.keys(orderFilters.shape)) {
    const v = params[key];
    if (v && orderFilters.shape[key as keyof OrderFilters].safeParse(v).success) out[key] = v;
  }
  return orderFilters.parse(out);
}

/** The "Buy cards" form: the same fields as `POST /api/v1/orders`, checked here and on the server. */
export const buyCardsInput = z.object({
  sku: z.string().trim().min(1, "Choose a product (its SKU, like BAM-990001).").max(64),
  faceValue: z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,4})?$/, "Enter an amount like 25.00."),
  quantity: z.coerce.number<string | number>().int("Whole cards only.").min(1, "At least 1 card.").max(500, "At most 500 cards per order."),
  referenceId: z
    .string()
    .trim()
    .min(1, "Give the order your reference (it makes a retry safe).")
    .max(128)
    .regex(/^[\w.:/-]+$/, "Letters, digits and . _ : / - only."),
});
