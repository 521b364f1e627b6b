import { describe, expect, it } from "vitest";
import { commissionOf } from "@/server/ledger/commission";

/**
 * The agent's revenue share (issue 18 item 3): margin × basis points / 10 000, rounded to 4
 * decimals half-even (a tie goes to the even last digit), nothing on a zero or negative margin.
 */
describe("commissionOf", () => {
  it("takes the share of the margin to 4 decimals", () => {
    expect(commissionOf("12.3400", 1000)).toBe("1.2340");
    expect(commissionOf("1.0000", 2500)).toBe("0.2500");
    expect(commissionOf("7.7777", 10_000)).toBe("7.7777");
    expect(commissionOf("7.7777", 0)).toBe("0.0000");
  });

  it("rounds a tie to the even fourth decimal (banker's rounding), not always up", () => {
    // 0.0005 × 50 % = 0.00025 → 0.0002 (2 is even); 0.0015 × 50 % = 0.00075 → 0.0008.
    expect(commissionOf("0.0005", 5000)).toBe("0.0002");
    expect(commissionOf("0.0015", 5000)).toBe("0.0008");
    // 1.2345 × 10 % = 0.12345 → 0.1234; 1.2355 × 10 % = 0.12355 → 0.1236.
    expect(commissionOf("1.2345", 1000)).toBe("0.1234");
    expect(commissionOf("1.2355", 1000)).toBe("0.1236");
    // Not a tie: plain rounding either way.
    expect(commissionOf("1.2346", 1000)).toBe("0.1235");
    expect(commissionOf("1.2344", 1000)).toBe("0.1234");
  });

  it("is exact on large margins (no float)", () => {
    // 123456789012.3456 × 333 / 10000 = 4111111074.11110848 (Python decimal)
    expect(commissionOf("123456789012.3456", 333)).toBe("4111111074.1111");
  });

  it("pays nothing on a zero margin or a loss, and refuses a share outside 0..10000", () => {
    expect(commissionOf("0.0000", 1000)).toBe("0.0000");
    expect(commissionOf("-5.0000", 1000)).toBe("0.0000");
    expect(() => commissionOf("1.0000", 10_001)).toThrow(RangeError);
    expect(() => commissionOf("1.0000", 12.5)).toThrow(RangeError);
  });
});
