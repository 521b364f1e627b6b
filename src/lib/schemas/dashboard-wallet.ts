import { z } from "zod";
import { isValidAmount } from "../money";

/** The ledger's kinds of movement, as `ledger_transfer_kind` names them. */
export const ENTRY_KINDS = ["order_debit", "order_refund", "topup_approval", "sandbox_grant", "admin_credit", "admin_adjustment"] as const;

export const ENTRY_KIND_LABELS: Record<(typeof ENTRY_KINDS)[number], string> = {
  order_debit: "Order payment",
  order_refund: "Order refund",
  topup_approval: "Top-up",
  sandbox_grant: "Sandbox funds",
  admin_credit: "Credit by Steller",
  admin_adjustment: "Adjustment by Steller",
};

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-30.");
const currency = z.string().regex(/^[A-Z]{3}$/, "A 3-letter currency code such as USD.");

/**
 * The ledger's filters, as the wallet page keeps them in the URL and the procedure checks them.
 * Dates are whole UTC days, `to` included.
 */
export const ledgerFilters = z.object({
  currency: currency.optional(),
  kind: z.enum(ENTRY_KINDS).optional(),
  from: day.optional(),
  to: day.optional(),
  /** An order id, a top-up request id or any part of an entry's reference. */
  reference: z
    .string()
    .trim()
    .max(128)
    .optional()
    .transform((v) => v || undefined),
});

type LedgerFilters = z.infer<typeof ledgerFilters>;

/** The ledger filters found in a URL's query, invalid values dropped (a hand-edited URL still opens). */
export function ledgerFiltersFromParams(params: Record<string, string>): LedgerFilters {
  const out: Record<string, string> = {};
  for (const key of Object.keys(ledgerFilters.shape)) {
    const v = params[key];
    if (v && ledgerFilters.shape[key as keyof LedgerFilters].safeParse(v).success) out[key] = v;
  }
  return ledgerFilters.parse(out);
}

/** A statement's period in whole UTC days, both included: what the page shows and the CSV covers. */
export const statementRange = z
  .object({ currency, from: day, to: day })
  .refine((r) => r.from <= r.to, { message: "The first day must not be after the last.", path: ["to"] })
  .refine((r) => Date.parse(`${r.to}T00:00:00Z`) - Date.parse(`${r.from}T00:00:00Z`) < 366 * 86_400_000, {
    message: "A statement covers at most 366 days.",
    path: ["to"],
  });

/** Whole UTC days, `to` included, as the instants [from, to) a statement and a ledger query take. */
export function dayBounds(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  return {
    from: from ? new Date(`${from}T00:00:00Z`) : undefined,
    to: to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000) : undefined,
  };
}

/** The top-up request form: the fields of `POST /api/v1/wallet/topup-requests`. */
export const topupForm = z.object({
  amount: z
    .string()
    .trim()
    .refine((v) => isValidAmount(v, { allowZero: false }), "Enter an amount above zero like 5000.00 (at most 4 decimals)."),
  currency,
  note: z.string().trim().max(500, "At most 500 characters.").optional(),
});
