import DecimalBase from "decimal.js";

const Decimal = DecimalBase.clone({ precision: 40, rounding: DecimalBase.ROUND_HALF_UP });

export interface DeliveredCost {
  /** What the vendor charged for the cards, 4 decimals. */
  cost: string;
  source: "vendor" | "estimate";
}

/**
 * What the vendor charged for `count` cards at positions [start, start + count) of its answer.
 *
 * The vendor's get-order `total` is what it charged for every card it delivered (it charges only
 * for delivered cards), in our account's currency. A batch's cards all share one product and face
 * value, so each member's share is proportional to its cards; it is taken as the difference of
 * two rounded cumulative shares, so the members' costs add up to the total exactly. Without a
 * usable total (none, negative, or in another currency than the order's price), the estimate made when the order was
 * priced (`vendorCost`, the catalog's unit cost × quantity) stands in for it.
 */
export function deliveredCost(
  order: { vendorCost: string; quantity: number; currency: string },
  vendor: { total: string | null; currency: string | null; cards: number },
  start: number,
  count: number,
): DeliveredCost {
  const total = vendor.total === null ? null : new Decimal(vendor.total);
  if (total && !total.isNegative() && vendor.cards > 0 && vendor.currency?.toUpperCase() === order.currency && start + count <= vendor.cards) {
    const upTo = (n: number) => total.times(n).dividedBy(vendor.cards).toDecimalPlaces(4);
    return {
      cost: upTo(start + count)
        .minus(upTo(start))
        .toFixed(4),
      source: "vendor",
    };
  }
  return { cost: new Decimal(order.vendorCost).dividedBy(order.quantity).times(count).toDecimalPlaces(4).toFixed(4), source: "estimate" };
}
