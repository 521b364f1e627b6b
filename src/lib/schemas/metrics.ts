import { z } from "zod";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-30.");
const DAY_MS = 24 * 3600_000;
/** The longest range the metrics draw (about two years of days). */
const METRICS_MAX_DAYS = 732;

/**
 * The metrics page's range: whole UTC days `from`..`to` (both included), by day or ISO week, in
 * one environment or both ("all"). What the page keeps in its URL and `admin.metrics.growth` checks.
 */
export const metricsRange = z
  .object({
    from: day,
    to: day,
    granularity: z.enum(["day", "week"]).default("day"),
    environment: z.enum(["all", "sandbox", "live"]).default("all"),
  })
  .refine((r) => r.from <= r.to, { message: "The start date must not be after the end date.", path: ["from"] })
  .refine((r) => (Date.parse(r.to) - Date.parse(r.from)) / DAY_MS < METRICS_MAX_DAYS, {
    message: `Choose at most ${METRICS_MAX_DAYS} days.`,
    path: ["to"],
  });

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The range in a URL's query, or the last 30 days (today included) for what is missing or invalid. */
export function metricsRangeFromParams(params: Record<string, string>, now = new Date()): z.output<typeof metricsRange> {
  const fallback = { from: isoDay(new Date(now.getTime() - 29 * DAY_MS)), to: isoDay(now), granularity: "day" as const, environment: "all" as const };
  const parsed = metricsRange.safeParse({ ...fallback, ...Object.fromEntries(Object.entries(params).filter(([k, v]) => v && k in fallback)) });
  return parsed.success ? parsed.data : fallback;
}

/** The range's instants: `from` at 00:00 UTC, up to the day after `to` (excluded). */
export function metricsBounds(r: { from: string; to: string }) {
  return { from: new Date(`${r.from}T00:00:00Z`), to: new Date(Date.parse(`${r.to}T00:00:00Z`) + DAY_MS) };
}
