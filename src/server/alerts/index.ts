import { and, desc, eq, isNotNull, isNull, like, notInArray, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx } from "@/server/db/client";
import { adminAlerts, consistencyChecks, reconciliationIssues, users, webhookEndpoints } from "@/server/db/schema";
import { requestEmail } from "@/server/email";
import { vendorHealth } from "./vendor-health";

export type AdminAlert = typeof adminAlerts.$inferSelect;
type AlertLink = { label: string; href: string };

export interface AlertInput {
  /** The dedup key: one unresolved alert per cause. */
  cause: string;
  kind: "ledger_drift" | "reconciliation_mismatch" | "vendor_failing" | "vendor_rate_limited" | "webhook_endpoint_disabled";
  severity: "warning" | "critical";
  title: string;
  detail: string;
  links?: AlertLink[];
}

/**
 * Raises an alert, or notes its cause again while its alert is unresolved (occurrences, last seen,
 * the latest detail and links): one alert per cause while open. A new alert is emailed to every
 * platform admin (with the insert: same transaction when given one) and audited as a system action.
 */
export async function raiseAlert(db: DbOrTx, a: AlertInput): Promise<{ id: string; raised: boolean }> {
  const links = a.links ?? [];
  const [row] = await db
    .insert(adminAlerts)
    .values({ id: newId("alr"), cause: a.cause, kind: a.kind, severity: a.severity, title: a.title, detail: a.detail, links })
    .onConflictDoUpdate({
      target: adminAlerts.cause,
      targetWhere: sql`${adminAlerts.resolvedAt} is null`,
      set: {
        occurrences: sql`${adminAlerts.occurrences} + 1`,
        lastSeenAt: sql`now()`,
        detail: a.detail,
        links,
        severity: a.severity,
        title: a.title,
      },
    })
    .returning({ id: adminAlerts.id, raised: sql<boolean>`xmax = 0` });
  if (!row) throw new Error(`alert ${a.cause}: nothing written`);
  if (row.raised) {
    const admins = await db
      .select({ email: users.email })
      .from(users)
      .where(and(eq(users.platformRole, "admin"), eq(users.status, "active")));
    for (const admin of admins) {
      await requestEmail(db, {
        to: admin.email,
        template: "admin_alert",
        params: { title: a.title, detail: a.detail, severity: a.severity },
        key: `alert:${row.id}:${admin.email}`,
      });
    }
    await recordAudit(db, {
      actor: "system:alerts",
      action: "alert.raised",
      targetType: "admin_alert",
      targetId: row.id,
      metadata: { cause: a.cause, kind: a.kind, severity: a.severity, emailed: admins.length },
    });
  }
  return row;
}

/** Resolves the unresolved alerts whose cause starts with `prefix` and is not in `active`; returns how many. */
async function resolveAlertsExcept(db: DbOrTx, prefix: string, active: string[]): Promise<number> {
  const rows = await db
    .update(adminAlerts)
    .set({ resolvedAt: sql`now()` })
    .where(and(isNull(adminAlerts.resolvedAt), like(adminAlerts.cause, `${prefix}%`), active.length ? notInArray(adminAlerts.cause, active) : undefined))
    .returning({ id: adminAlerts.id });
  return rows.length;
}

export type AcknowledgeResult = { ok: true; alert: AdminAlert } | { ok: false; reason: "not_found" | "already_acknowledged" };

/** An admin acknowledges an alert (someone is on it): who and when, audited in the same transaction. */
export async function acknowledgeAlert(
  db: Db,
  input: { alertId: string; actor: string; ip?: string | null; note?: string | null },
): Promise<AcknowledgeResult> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(adminAlerts).where(eq(adminAlerts.id, input.alertId)).for("update");
    if (!before) return { ok: false, reason: "not_found" } as const;
    if (before.acknowledgedAt) return { ok: false, reason: "already_acknowledged" } as const;
    const [alert] = await tx
      .update(adminAlerts)
      .set({ acknowledgedAt: sql`now()`, acknowledgedBy: input.actor })
      .where(eq(adminAlerts.id, input.alertId))
      .returning();
    await recordAudit(tx, {
      actor: input.actor,
      action: "alert.acknowledged",
      targetType: "admin_alert",
      targetId: input.alertId,
      reason: input.note ?? null,
      before: { acknowledgedAt: null, acknowledgedBy: null },
      after: { acknowledgedAt: alert!.acknowledgedAt?.toISOString() ?? null, acknowledgedBy: input.actor },
      ip: input.ip ?? null,
      metadata: { cause: before.cause, kind: before.kind },
    });
    return { ok: true, alert: alert! } as const;
  });
}

/** Alerts for the admin pages, newest first: `open` (unresolved), `unacknowledged` (the banner's) or `all`. */
export async function listAlerts(db: DbOrTx, opts: { state?: "open" | "unacknowledged" | "all"; limit?: number } = {}) {
  const state = opts.state ?? "open";
  const where =
    state === "all" ? undefined : state === "open" ? isNull(adminAlerts.resolvedAt) : and(isNull(adminAlerts.resolvedAt), isNull(adminAlerts.acknowledgedAt));
  const rows = await db
    .select({ alert: adminAlerts, acknowledgedByName: users.name, acknowledgedByEmail: users.email })
    .from(adminAlerts)
    .leftJoin(users, eq(users.id, adminAlerts.acknowledgedBy))
    .where(where)
    .orderBy(desc(adminAlerts.createdAt))
    .limit(Math.min(opts.limit ?? 100, 500));
  return rows.map((r) => ({ ...r.alert, acknowledgedByName: r.acknowledgedByName ?? r.acknowledgedByEmail ?? null }));
}

/** Ledger drift: the latest consistency check found drift → one alert; a clean check resolves it. */
export async function evaluateLedgerAlert(db: DbOrTx) {
  const [latest] = await db.select().from(consistencyChecks).orderBy(desc(consistencyChecks.checkedAt)).limit(1);
  if (!latest || latest.ok) return { active: false, resolved: await resolveAlertsExcept(db, "ledger_drift", []) };
  const report = latest.report as { drift?: { accountId: string; drift: string }[]; unbalancedTransfers?: string[]; revenueMismatches?: { orderId: string }[] };
  const drift = report.drift ?? [];
  const mismatches = report.revenueMismatches ?? [];
  const links: AlertLink[] = [
    ...drift
      .slice(0, 10)
      .map((d) => ({ label: `Account ${d.accountId} (drift ${d.drift})`, href: `/admin/wallets?account=${encodeURIComponent(d.accountId)}` })),
    ...mismatches.slice(0, 10).map((m) => ({ label: `Order ${m.orderId} (revenue ≠ margin)`, href: `/admin/orders/${encodeURIComponent(m.orderId)}` })),
  ];
  await raiseAlert(db, {
    cause: "ledger_drift",
    kind: "ledger_drift",
    severity: "critical",
    title: "Ledger drift found by the consistency check",
    detail: `Check ${latest.id}: ${drift.length} account(s) whose balance is not the sum of their entries, ${report.unbalancedTransfers?.length ?? 0} unbalanced transfer(s), ${mismatches.length} order(s) whose revenue is not their margin.`,
    links,
  });
  return { active: true, resolved: 0 };
}

/** Reconciliation: any unresolved finding → one alert listing the orders; none left resolves it. */
export async function evaluateReconciliationAlert(db: DbOrTx) {
  const open = await db.select().from(reconciliationIssues).where(isNull(reconciliationIssues.resolvedAt)).orderBy(reconciliationIssues.createdAt).limit(200);
  if (open.length === 0) return { active: false, resolved: await resolveAlertsExcept(db, "reconciliation", []) };
  await raiseAlert(db, {
    cause: "reconciliation",
    kind: "reconciliation_mismatch",
    severity: "critical",
    title: `${open.length} reconciliation mismatch(es) with the vendor`,
    detail: open
      .slice(0, 5)
      .map((i) => `${i.orderId}: ${i.kind} (ours ${i.ourStatus ?? "?"}, vendor ${i.vendorStatus ?? "none"})`)
      .join("; "),
    links: open
      .filter((i) => i.orderId)
      .slice(0, 10)
      .map((i) => ({ label: `Order ${i.orderId} (${i.kind})`, href: `/admin/orders/${encodeURIComponent(i.orderId!)}` })),
  });
  return { active: true, resolved: 0 };
}

/** Disabled webhook endpoints (turned off after repeated failures): one alert each while disabled. */
export async function evaluateWebhookAlerts(db: DbOrTx) {
  const disabled = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.enabled, false), isNotNull(webhookEndpoints.disabledAt), isNull(webhookEndpoints.deletedAt)))
    .limit(200);
  const causes: string[] = [];
  for (const e of disabled) {
    const cause = `webhook_disabled:${e.id}`;
    causes.push(cause);
    await raiseAlert(db, {
      cause,
      kind: "webhook_endpoint_disabled",
      severity: "warning",
      title: `Webhook endpoint ${e.id} disabled`,
      detail: `${e.url} (${e.environment}) of partner ${e.partnerId} was disabled: ${e.disabledReason ?? "repeated delivery failures"}.`,
      links: [{ label: `Partner ${e.partnerId}`, href: `/admin/partners/${encodeURIComponent(e.partnerId)}` }],
    });
  }
  return { active: causes.length, resolved: await resolveAlertsExcept(db, "webhook_disabled:", causes) };
}

/** Vendor failing or rate-limiting for minutes (from the recorded vendor calls): one alert each. */
export async function evaluateVendorAlerts(db: DbOrTx, opts: { now?: Date } = {}) {
  const h = await vendorHealth(db, opts);
  const active: string[] = [];
  if (h.failingSustained) {
    active.push("vendor_failing");
    await raiseAlert(db, {
      cause: "vendor_failing",
      kind: "vendor_failing",
      severity: "critical",
      title: "The vendor is failing",
      detail: `${h.failed} of the last ${h.calls} vendor calls in ${h.windowMinutes} minutes failed (5xx, timeouts, network), for ${h.failingForMinutes} minute(s). Latest: ${h.lastError ?? "?"}.`,
    });
  }
  if (h.rateLimitedSustained) {
    active.push("vendor_rate_limited");
    await raiseAlert(db, {
      cause: "vendor_rate_limited",
      kind: "vendor_rate_limited",
      severity: "warning",
      title: "The vendor is rate-limiting us",
      detail: `${h.rateLimited} of the last ${h.calls} vendor calls in ${h.windowMinutes} minutes answered 429, for ${h.rateLimitedForMinutes} minute(s).`,
    });
  }
  return { active: active.length, resolved: await resolveAlertsExcept(db, "vendor_", active) };
}

/** Every alert source at once (the monitor cron): raises what is active, resolves what is gone. */
export async function evaluateAlerts(db: Db, opts: { now?: Date } = {}) {
  const [ledger, reconciliation, webhooks, vendor] = [
    await evaluateLedgerAlert(db),
    await evaluateReconciliationAlert(db),
    await evaluateWebhookAlerts(db),
    await evaluateVendorAlerts(db, opts),
  ];
  return { ledger, reconciliation, webhooks, vendor };
}
