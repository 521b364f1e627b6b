import Decimal from "decimal.js";

/**
 * Magic face values that force each order path at the mock vendor, keyed on the cents of a product line's Value (documented in docs/mock-vendor.md; use a ranged test product).
 * In an order of several lines, what a line delivers (.66, .50, .88) is its own; the faults of the
 * request (refusal, 429s, 404, lost answer, gateway page, malformed answer, slowness) come from any line.
 */
export type MockMagic =
  | "out_of_stock" // .13: refused at placement, 400 ProductIsOutOfStock
  | "fails" // .66: accepted, then Failed
  | "partial" // .50 with quantity >= 2: PartialFailed, half the cards
  | "slow" // .77: fulfilment takes five times as long
  | "answer_lost" // .55: first placement creates the order then answers 500
  | "rate_limit_storm" // .29: the first 2 placements of the request id answer 429 "wait for 1 seconds"
  | "malformed" // .98: get-order answers a malformed body
  | "gateway_forbidden" // .43: every placement answers a gateway's 403 HTML page, though the first created the order
  | "not_found" // .44: every placement answers 404 and buys nothing
  | "wrong_delivery" // .88: accepted and Succeeded, but the cards delivered are of another face value (ordered + 1)
  | null;

export const STORM_CALLS = 2;
export const SLOW_FACTOR = 5;

export function magicOf(faceValue: string, quantity: number): MockMagic {
  const cents = new Decimal(faceValue).toFixed(2).slice(-3);
  switch (cents) {
    case ".13":
      return "out_of_stock";
    case ".66":
      return "fails";
    case ".50":
      return quantity >= 2 ? "partial" : null;
    case ".77":
      return "slow";
    case ".55":
      return "answer_lost";
    case ".29":
      return "rate_limit_storm";
    case ".98":
      return "malformed";
    case ".43":
      return "gateway_forbidden";
    case ".44":
      return "not_found";
    case ".88":
      return "wrong_delivery";
    default:
      return null;
  }
}
