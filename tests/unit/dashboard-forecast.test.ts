import { describe, expect, it } from "vitest";
import { forecastBalance } from "@/server/ledger/forecast";

describe("balance forecast (decimal arithmetic)", () => {
  it("says how many whole days the balance lasts at the window's pace", () => {
    // 300 spent over 30 days = 10 a day; 95 lasts 9 whole days
    const f = forecastBalance({ balance: "95.0000", spend: "300.0000", windowDays: 30, threshold: "100.0000" });
    expect(f).toEqual({ dailySpend: "10.0000", daysLeft: 9, low: true, suggestedTopUp: "310.0000" });
  });

  it("suggests enough for the next 30 days plus the threshold, rounded up to the step", () => {
    // 0.1 + 0.2 style amounts: a float would give 0.30000000000000004
    const f = forecastBalance({ balance: "0.1000", spend: "0.2000", windowDays: 30, threshold: "0.2000", step: "0.0001" });
    // daily 0.00666…, 30 days = 0.2 (exactly, in decimal) + 0.2 threshold − 0.1 = 0.3
    expect(f.suggestedTopUp).toBe("0.3000");
    expect(f.daysLeft).toBe(15);
  });

  it("suggests nothing when the balance already covers the next 30 days and the threshold", () => {
    const f = forecastBalance({ balance: "10000.0000", spend: "3000.0000", windowDays: 30, threshold: "100.0000" });
    expect(f).toMatchObject({ daysLeft: 100, low: false, suggestedTopUp: "0.0000" });
  });

  it("has no run-out day without spend, and keeps a low wallet flagged", () => {
    const f = forecastBalance({ balance: "5.0000", spend: "0.0000", windowDays: 30, threshold: "100.0000" });
    expect(f).toEqual({ dailySpend: "0.0000", daysLeft: null, low: true, suggestedTopUp: "100.0000" });
  });

  it("treats an overdrawn wallet as out today", () => {
    const f = forecastBalance({ balance: "-20.0000", spend: "60.0000", windowDays: 30, threshold: "0" });
    expect(f.daysLeft).toBe(0);
    expect(f.suggestedTopUp).toBe("80.0000");
  });

  it("keeps precision on amounts beyond a float's 15 digits", () => {
    const f = forecastBalance({ balance: "0", spend: "900719925474099.3000", windowDays: 30, threshold: "0", step: "0.0001" });
    expect(f.suggestedTopUp).toBe("900719925474099.3000");
  });
});
