/**
 * Money and dates for people, in one place: the user's locale, the amount's own currency, and
 * never through a float (Intl.NumberFormat formats a decimal string exactly).
 */

/** The locale used when the request names none. */
export const DEFAULT_LOCALE = "en-US";

/** The first usable locale of an Accept-Language header ("fr-CH, fr;q=0.9" → "fr-CH"). */
export function localeFromHeader(acceptLanguage: string | null | undefined): string {
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim();
    if (!tag || tag === "*") continue;
    try {
      return Intl.getCanonicalLocales(tag)[0] ?? DEFAULT_LOCALE;
    } catch {}
  }
  return DEFAULT_LOCALE;
}

/**
 * A decimal amount string in its currency, named by its code (several currencies share "$"):
 * "1234.5000", "EUR", "de-DE" → "1.234,50 EUR"; "en-US" → "USD 1,234.50".
 */
export function money(amount: string, currency: string, locale: string = DEFAULT_LOCALE): string {
  let fmt: Intl.NumberFormat;
  try {
    fmt = new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "code", minimumFractionDigits: 2, maximumFractionDigits: 4 });
  } catch {
    fmt = new Intl.NumberFormat(DEFAULT_LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
    // Not an ISO currency code: the code before the number.
    return `${currency} ${fmt.format(amount as unknown as number)}`;
  }
  // A string keeps every digit (Intl.NumberFormat v3 takes decimal strings).
  return fmt.format(amount as unknown as number);
}

/** A whole count in the user's locale ("12345" → "12,345"). */
export function count(n: number, locale: string = DEFAULT_LOCALE): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** A moment (Date or ISO string) as date and time, in UTC so server and browser agree. */
export function dateTime(value: Date | string, locale: string = DEFAULT_LOCALE): string {
  const d = typeof value === "string" ? new Date(value) : value;
  return `${new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(d)} UTC`;
}

/** A calendar day ("2026-11-29") as a short date, without a time zone shift. */
export function day(value: string, locale: string = DEFAULT_LOCALE): string {
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(`${value.slice(0, 10)}T00:00:00Z`));
}
