import Decimal from "decimal.js";
import { AMOUNT_SCALE, type Amount } from "@/lib/money";

export interface BalanceForecast {
  /** Spend per day at the window's pace, 4 decimals. */
  dailySpend: Amount;
  /** Whole days the balance lasts at that pace; null when nothing was spent (no pace to run out at). */
  daysLeft: number | null;
  /** Below the low-balance threshold now. */
  low: boolean;
  /**
   * What to add so the wallet covers the next `coverDays` at this pace and still sits at the
   * threshold, rounded up to a whole `step`; "0.0000" when the balance already does.
   */
  suggestedTopUp: Amount;
}

/**
 * "At your last 30 days' pace, this wallet runs out in ~N days": the wallet's balance against its
 * spend over the window, in decimal arithmetic only (amounts are strings, never floats).
 */
export function forecastBalance(input: {
  balance: Amount;
  spend: Amount;
  windowDays: number;
  threshold: Amount;
  coverDays?: number;
  step?: Amount;
}): BalanceForecast {
  const balance = new Decimal(input.balance);
  const spend = Decimal.max(new Decimal(input.spend), 0);
  const threshold = new Decimal(input.threshold);
  const daily = spend.div(input.windowDays);
  const low = balance.lt(threshold);
  const daysLeft = daily.isZero() ? null : Decimal.max(balance, 0).div(daily).floor().toNumber();
  const target = daily.times(input.coverDays ?? 30).plus(threshold);
  const step = new Decimal(input.step ?? "10");
  const missing = target.minus(balance);
  const suggested = missing.lte(0) ? new Decimal(0) : missing.div(step).ceil().times(step);
  return {
    dailySpend: daily.toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_UP).toFixed(AMOUNT_SCALE),
    daysLeft,
    low,
    suggestedTopUp: suggested.toFixed(AMOUNT_SCALE),
  };
}
