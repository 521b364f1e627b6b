import { describe, expect, it } from "vitest";
import { dateTime, day, localeFromHeader, money } from "@/components/ui/format";

describe("money and dates are formatted in one place", () => {
  it("shows an amount in its currency and the user's locale, every digit kept (no float)", () => {
    expect(money("1234.5000", "USD", "en-US")).toBe("USD\u00a01,234.50");
    expect(money("1234.5", "EUR", "de-DE")).toBe("1.234,50\u00a0EUR");
    // 2^53 + 1 as a float would round to ...992
    expect(money("9007199254740993.0100", "USD", "en-US")).toBe("USD\u00a09,007,199,254,740,993.01");
    expect(money("25.5050", "GBP", "en-GB")).toBe("GBP\u00a025.505");
    expect(money("-3.2", "USD", "en-US")).toBe("-USD\u00a03.20");
  });

  it("falls back to the code before the number for a currency Intl does not know", () => {
    expect(money("10", "XX1", "en-US")).toBe("XX1 10.00");
  });

  it("reads the locale from Accept-Language, defaulting to en-US", () => {
    expect(localeFromHeader("fr-CH, fr;q=0.9, en;q=0.8")).toBe("fr-CH");
    expect(localeFromHeader("*")).toBe("en-US");
    expect(localeFromHeader("not a locale!!, de")).toBe("de");
    expect(localeFromHeader(null)).toBe("en-US");
  });

  it("dates are UTC so server and browser agree", () => {
    expect(dateTime("2026-11-29T23:59:00Z", "en-US")).toBe("Nov 29, 2026, 11:59 PM UTC");
    expect(day("2026-11-29", "en-US")).toBe("Nov 29");
  });
});
