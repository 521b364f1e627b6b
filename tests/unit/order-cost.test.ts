import { describe, expect, it } from "vitest";
import { deliveredCost } from "@/server/orders/cost";

const order = { vendorCost: "29.9250", quantity: 3, currency: "USD" }; // estimate: 9.9750 a card

describe("deliveredCost: what the vendor charged for some of its cards", () => {
  it("shares the vendor's total over the cards by cumulative rounded shares: the members add up to the total exactly", () => {
    const vendor = { total: "10.0001", currency: "USD", cards: 3 };
    const shares = [0, 1, 2].map((start) => deliveredCost(order, vendor, start, 1));
    expect(shares).toEqual([
      { cost: "3.3334", source: "vendor" },
      { cost: "3.3333", source: "vendor" },
      { cost: "3.3334", source: "vendor" },
    ]);
    expect(deliveredCost(order, vendor, 0, 2).cost).toBe("6.6667");
    expect(deliveredCost(order, vendor, 0, 3).cost).toBe("10.0001");
    // Two members of 2 and 5 cards out of 7 delivered.
    const seven = { total: "69.86", currency: "usd", cards: 7 };
    const a = deliveredCost(order, seven, 0, 2).cost;
    const b = deliveredCost(order, seven, 2, 5).cost;
    expect([a, b]).toEqual(["19.9600", "49.9000"]);
  });

  it("falls back to the estimate made when the order was priced when the vendor's total cannot be used", () => {
    for (const vendor of [
      { total: null, currency: "USD", cards: 3 },
      { total: "30.00", currency: "EUR", cards: 3 },
      { total: "-1.00", currency: "USD", cards: 3 },
      { total: "30.00", currency: null, cards: 3 },
      { total: "30.00", currency: "USD", cards: 0 },
    ]) {
      expect(deliveredCost(order, vendor, 0, 2), JSON.stringify(vendor)).toEqual({ cost: "19.9500", source: "estimate" });
    }
    // Cards beyond what the vendor says it delivered: not its total's to share.
    expect(deliveredCost(order, { total: "20.00", currency: "USD", cards: 2 }, 1, 2)).toEqual({ cost: "19.9500", source: "estimate" });
  });
});
