import DecimalBase from "decimal.js";

const Decimal = DecimalBase.clone({ precision: 40, rounding: DecimalBase.ROUND_HALF_UP });

/** Every sandbox partner sees the whole catalog at this markup over the vendor cost. */
export const SANDBOX_MARKUP_BPS = 200;

export class ProfitGuardError extends Error {
  readonly code = "below_cost";
  constructor(
    readonly unitPrice: string,
    readonly unitCost: string,
  ) {
    super(`price ${unitPrice} is below the vendor cost ${unitCost}`);
    this.name = "ProfitGuardError";
  }
}

export interface Quote {
  unitCost: string;
  unitPrice: string;
  totalCost: string;
  totalPrice: string;
}

/**
 * The partner's price for `quantity` cards of `faceValue`: the vendor cost (face value × cost
 * rate, to 4 decimals) plus the partner's markup, rounded **up** to the cent so a price never
 * lands below cost by rounding. The profit guard refuses any sale below cost all the same.
 */
export function quote(input: { faceValue: string; quantity: number; costRate: string; markupBps: number }): Quote {
  if (!Number.isInteger(input.quantity) || input.quantity < 1) throw new Error("quantity must be a positive integer");
  if (!Number.isInteger(input.markupBps)) throw new Error("markupBps must be an integer");
  const unitCost = new Decimal(input.faceValue).times(input.costRate).toDecimalPlaces(4, Decimal.ROUND_UP);
  const unitPrice = unitCost.times(new Decimal(10_000 + input.markupBps).dividedBy(10_000)).toDecimalPlaces(2, Decimal.ROUND_UP);
  if (unitPrice.lessThan(unitCost)) throw new ProfitGuardError(unitPrice.toFixed(4), unitCost.toFixed(4));
  return {
    unitCost: unitCost.toFixed(4),
    unitPrice: unitPrice.toFixed(4),
    totalCost: unitCost.times(input.quantity).toFixed(4),
    totalPrice: unitPrice.times(input.quantity).toFixed(4),
  };
}

/** The quote, or null when the profit guard refuses it (the order would be refused as below_cost). */
export function quoteIfSellable(input: Parameters<typeof quote>[0]): Quote | null {
  try {
    return quote(input);
  } catch (e) {
    if (e instanceof ProfitGuardError) return null;
    throw e;
  }
}

/** Vendor price ÷ face value, to 8 decimals: what one unit of face value costs us. */
export function costRate(vendorPrice: string, faceValue: string): string {
  return new Decimal(vendorPrice).dividedBy(faceValue).toDecimalPlaces(8, Decimal.ROUND_UP).toFixed(8);
}

/** Whether `faceValue` is orderable for a product: exactly the denomination, or inside the range. */
export function faceValueAllowed(faceValue: string, min: string, max: string): boolean {
  const v = new Decimal(faceValue);
  return v.greaterThanOrEqualTo(min) && v.lessThanOrEqualTo(max);
}
