"use client";

import { dateTime } from "./format";
import { useLocale } from "./locale";
import { Tooltip } from "./tooltip";

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 minutes ago", "in 2 days": the largest whole unit, in the user's locale; under a minute is "just now". */
function relative(value: Date, locale: string, now = Date.now()): string {
  const diff = value.getTime() - now;
  const fmt = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, ms] of UNITS) if (Math.abs(diff) >= ms) return fmt.format(Math.trunc(diff / ms), unit);
  return diff > 0 ? fmt.format(1, "minute") : "just now";
}

/** A moment as relative time, the exact date and time (UTC) in a tooltip and the element's datetime. */
export function RelativeTime({ value, className }: { value: Date | string; className?: string }) {
  const locale = useLocale();
  const d = typeof value === "string" ? new Date(value) : value;
  const exact = dateTime(d, locale);
  return (
    <Tooltip content={exact}>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so keyboard users get the exact time too */}
      <time dateTime={d.toISOString()} tabIndex={0} title={exact} className={className}>
        {relative(d, locale)}
      </time>
    </Tooltip>
  );
}
