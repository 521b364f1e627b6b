import { z } from "zod";

const optionalText = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(schema.optional());

/**
 * "Sell a card" (sub-agents, over the counter): one card of a product at a face value, paid from
 * the sub-agent's wallet; the receipt is emailed to the customer when an email is given. The form
 * and the procedure check the same schema.
 */
export const sellCardInput = z.object({
  sku: z.string().trim().min(1, "Choose a product.").max(64),
  faceValue: z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,4})?$/, "Enter an amount like 25.00."),
  customerEmail: optionalText(z.email("Enter an email address like name@example.com, or leave it empty.").max(254)),
  customerPhone: optionalText(
    z
      .string()
      .max(32)
      .regex(/^\+?[\d ()-]{6,32}$/, "Enter a phone number like +44 20 7946 0000, or leave it empty."),
  ),
  /** Made by the form when it opens: a second click or a retry sells once. */
  saleKey: z
    .string()
    .min(8)
    .max(64)
    .regex(/^[\w-]+$/),
});
