import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidAmountError,
  InvalidCurrencyError,
  addAmounts,
  amountsEqual,
  compareAmounts,
  formatAmount,
  formatMoney,
  isValidAmount,
  negateAmount,
  normalizeAmount,
  parseAmount,
  parseCurrency,
  parsePositiveAmount,
  subAmounts,
  sumAmounts,
} from "@/lib/money";

describe("parseAmount", () => {
  it("accepts plain decimals and returns them with four decimals", () => {
    expect(parseAmount("25.00")).toBe("25.0000");
    expect(parseAmount("25")).toBe("25.0000");
    expect(parseAmount("0.0001")).toBe("0.0001");
    expect(parseAmount("999999999999999.9999")).toBe("999999999999999.9999");
    expect(parseAmount("0")).toBe("0.0000");
    expect(parseAmount("-0.00")).toBe("0.0000");
    expect(parseAmount("-3.5", { allowNegative: true })).toBe("-3.5000");
  });

  it.each([
    ["NaN", "malformed"],
    ["Infinity", "malformed"],
    ["1e3", "malformed"],
    ["1E-2", "malformed"],
    ["0x10", "malformed"],
    ["", "malformed"],
    [" 1.00", "malformed"],
    ["1.00 ", "malformed"],
    ["+1", "malformed"],
    ["1.", "malformed"],
    [".5", "malformed"],
    ["01.5", "malformed"],
    ["1,000.00", "malformed"],
    ["1.00001", "too_many_decimals"],
    ["1000000000000000", "too_large"],
    ["-1.00", "negative"],
  ])("rejects %j (%s)", (input, reason) => {
    expect(() => parseAmount(input)).toThrow(InvalidAmountError);
    try {
      parseAmount(input);
    } catch (e) {
      expect((e as InvalidAmountError).reason).toBe(reason);
    }
  });

  it("rejects numbers and other non-strings, and zero where a positive amount is required", () => {
    expect(() => parseAmount(25)).toThrow(/not a string/);
    expect(() => parseAmount(null)).toThrow(InvalidAmountError);
    expect(() => parsePositiveAmount("0.0000")).toThrow(/zero/);
    expect(isValidAmount("12.34")).toBe(true);
    expect(isValidAmount("12.34567")).toBe(false);
  });
});

describe("arithmetic and formatting", () => {
  it("adds, subtracts and compares exactly where floats would not", () => {
    expect(addAmounts("0.1", "0.2")).toBe("0.3000");
    expect(subAmounts("10", "10.0001")).toBe("-0.0001");
    expect(sumAmounts(["0.1", "0.1", "0.1"])).toBe("0.3000");
    expect(sumAmounts([])).toBe("0.0000");
    expect(compareAmounts("25.5", "25.5000")).toBe(0);
    expect(compareAmounts("2", "10")).toBe(-1);
    expect(amountsEqual("1", "1.0001")).toBe(false);
    expect(negateAmount("0")).toBe("0.0000");
    expect(normalizeAmount("7.5")).toBe("7.5000");
  });

  it("formats with two to four decimals", () => {
    expect(formatAmount("25.0000")).toBe("25.00");
    expect(formatAmount("25.5")).toBe("25.50");
    expect(formatAmount("0.1250")).toBe("0.125");
    expect(formatAmount("1234567.8901")).toBe("1234567.8901");
    expect(formatAmount("-3.1000")).toBe("-3.10");
    expect(formatAmount("2.345", { maxDecimals: 2 })).toBe("2.34");
    expect(formatAmount("-0.0000")).toBe("0.00");
    expect(formatMoney({ amount: "1000.0000", currency: "USD" })).toBe("USD 1000.00");
  });

  it("keeps sums exact for any amounts (property)", () => {
    const cents = fc.bigInt({ min: 0n, max: 10n ** 12n });
    const toAmount = (n: bigint) => `${n / 10_000n}.${(n % 10_000n).toString().padStart(4, "0")}`;
    fc.assert(
      fc.property(cents, cents, (a, b) => {
        expect(addAmounts(toAmount(a), toAmount(b))).toBe(toAmount(a + b));
        expect(subAmounts(toAmount(a + b), toAmount(b))).toBe(toAmount(a));
        expect(parseAmount(formatAmount(toAmount(a)))).toBe(toAmount(a));
      }),
      { seed: 20261125, numRuns: 500 },
    );
  });

  it("accepts only upper-case three-letter currency codes", () => {
    expect(parseCurrency("USD")).toBe("USD");
    expect(() => parseCurrency("usd")).toThrow(InvalidCurrencyError);
    expect(() => parseCurrency("US")).toThrow(InvalidCurrencyError);
  });
});
