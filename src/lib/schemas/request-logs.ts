import { z } from "zod";

export const STATUS_CLASSES = ["2xx", "4xx", "5xx"] as const;
export const LOG_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-30.");
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);

/**
 * The request logs explorer's filters: what the dashboard keeps in the URL and `logs.list` /
 * `logs.errorsByCode` check. Dates are whole UTC days (`to` included); `keyId` is one of the
 * partner's keys.
 */
export const logFilters = z.object({
  statusClass: z.enum(STATUS_CLASSES).optional(),
  method: z.enum(LOG_METHODS).optional(),
  path: optionalText(200),
  keyId: optionalText(64),
  from: day.optional(),
  to: day.optional(),
});

export type LogFilters = z.infer<typeof logFilters>;

/** The filters found in a URL's query, invalid values dropped (a hand-edited URL still opens). */
export function logFiltersFromParams(params: Record<string, string>): LogFilters {
  const out: Record<string, string> = {};
  for (const key of Object.keys(logFilters.shape)) {
    const v = params[key];
    if (v && logFilters.shape[key as keyof LogFilters].safeParse(v).success) out[key] = v;
  }
  return logFilters.parse(out);
}
