/**
 * A decimal amount string for people: thousands grouped, at least 2 decimals, trailing zeros
 * beyond them dropped ("10000.5000" → "10,000.50", "25.5050" → "25.505"). Never through a float.
 */
export function formatAmount(amount: string): string {
  const negative = amount.startsWith("-");
  const [int = "0", frac = ""] = amount.replace(/^[-+]/, "").split(".");
  const trimmed = frac.replace(/0+$/, "").padEnd(2, "0");
  const grouped = int.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}.${trimmed}`;
}

export const formatMoney = (amount: string, currency: string) => `${currency} ${formatAmount(amount)}`;

/** A decimal amount as a plain input value: at least 2 decimals, no grouping ("25.0000" → "25.00"). */
export function plainAmount(amount: string): string {
  return formatAmount(amount).replace(/,/g, "");
}
