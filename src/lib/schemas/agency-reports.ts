import { z } from "zod";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-30.");
const MAX_DAYS = 366;

/** A report's dates: whole UTC days, both included, at most a year. */
export const reportRangeInput = z
  .object({ from: day, to: day })
  .refine((r) => r.from <= r.to, { message: "The start date is after the end date.", path: ["to"] })
  .refine((r) => Date.parse(`${r.to}T00:00:00Z`) - Date.parse(`${r.from}T00:00:00Z`) < MAX_DAYS * 86_400_000, {
    message: `A report covers at most ${MAX_DAYS} days.`,
    path: ["from"],
  });

export type ReportRangeInput = z.infer<typeof reportRangeInput>;

/** [from 00:00 UTC, the day after `to` 00:00 UTC). */
export function rangeOfDays(r: ReportRangeInput): { from: Date; to: Date } {
  return { from: new Date(`${r.from}T00:00:00Z`), to: new Date(Date.parse(`${r.to}T00:00:00Z`) + 86_400_000) };
}
