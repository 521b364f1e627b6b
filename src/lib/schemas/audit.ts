import { z } from "zod";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);

/** A whole UTC day (`2026-11-30`) or an instant (`2026-11-30T08:00:00Z`). */
const when = z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-30."), z.iso.datetime({ offset: true })]);

/**
 * The audit log's filters: what the admin view keeps in its URL, and what `admin.audit.list`, the
 * CSV export and `GET /api/admin/audit-log` accept. `actor` is a user id, a key/token id,
 * `system:<what>` or a user's email; `action` an action or its family (`wallet` = `wallet.…`).
 */
export const auditFilters = z.object({
  actor: optionalText(200),
  partnerId: optionalText(64),
  action: optionalText(100),
  targetType: optionalText(64),
  targetId: optionalText(64),
  from: when.optional(),
  to: when.optional(),
});

export type AuditFilterInput = z.infer<typeof auditFilters>;

/** The filters as the domain query's: a day `from` starts at 00:00 UTC, a day `to` ends at 23:59:59.999 UTC (included). */
export function auditQuery(f: AuditFilterInput) {
  const day = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
  return {
    actor: f.actor,
    partnerId: f.partnerId,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    from: f.from ? new Date(day(f.from) ? `${f.from}T00:00:00Z` : f.from) : undefined,
    to: f.to ? new Date(day(f.to) ? `${f.to}T23:59:59.999Z` : f.to) : undefined,
  };
}

/** The filters found in a URL's query, invalid values dropped (a hand-edited URL still opens). */
export function auditFiltersFromParams(params: Record<string, string>): AuditFilterInput {
  const out: Record<string, string> = {};
  for (const key of Object.keys(auditFilters.shape) as Array<keyof AuditFilterInput>) {
    const v = params[key];
    if (v && auditFilters.shape[key].safeParse(v).success) out[key] = v;
  }
  return auditFilters.parse(out);
}
