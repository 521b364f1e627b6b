import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx } from "@/server/db/client";
import { consistencyChecks, ledgerAccounts, orders, reconciliationIssues } from "@/server/db/schema";

/** Reconciliation findings (open first, newest first) with the order's partner, for the Operations page. */
export async function listReconciliationFindings(db: DbOrTx, opts: { state?: "open" | "all"; limit?: number } = {}) {
  return db
    .select({
      id: reconciliationIssues.id,
      orderId: reconciliationIssues.orderId,
      partnerId: orders.partnerId,
      environment: orders.environment,
      vendorRequestId: reconciliationIssues.vendorRequestId,
      kind: reconciliationIssues.kind,
      ourStatus: reconciliationIssues.ourStatus,
      vendorStatus: reconciliationIssues.vendorStatus,
      detail: reconciliationIssues.detail,
      createdAt: reconciliationIssues.createdAt,
      resolvedAt: reconciliationIssues.resolvedAt,
    })
    .from(reconciliationIssues)
    .leftJoin(orders, eq(orders.id, reconciliationIssues.orderId))
    .where(opts.state === "all" ? undefined : isNull(reconciliationIssues.resolvedAt))
    .orderBy(sql`${reconciliationIssues.resolvedAt} is not null`, desc(reconciliationIssues.createdAt))
    .limit(Math.min(opts.limit ?? 100, 500));
}

export type ResolveFindingResult = { ok: true } | { ok: false; reason: "not_found" | "already_resolved" };

/** An admin marks a reconciliation finding handled, with the reason; audited in the same transaction. */
export async function resolveReconciliationFinding(
  db: Db,
  input: { findingId: string; actor: string; reason: string; ip?: string | null },
): Promise<ResolveFindingResult> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(reconciliationIssues).where(eq(reconciliationIssues.id, input.findingId)).for("update");
    if (!before) return { ok: false, reason: "not_found" } as const;
    if (before.resolvedAt) return { ok: false, reason: "already_resolved" } as const;
    const [after] = await tx.update(reconciliationIssues).set({ resolvedAt: sql`now()` }).where(eq(reconciliationIssues.id, input.findingId)).returning();
    await recordAudit(tx, {
      actor: input.actor,
      action: "reconciliation.resolved",
      targetType: "reconciliation_issue",
      targetId: input.findingId,
      reason: input.reason,
      before: { resolvedAt: null },
      after: { resolvedAt: after!.resolvedAt?.toISOString() ?? null },
      ip: input.ip ?? null,
      metadata: { orderId: before.orderId, kind: before.kind },
    });
    return { ok: true } as const;
  });
}

/**
 * The latest ledger-consistency checks, newest first; the latest with drift carries its accounts
 * (with their partner, kind, currency and environment) and the orders whose revenue is off.
 */
export async function listConsistencyChecks(db: DbOrTx, opts: { limit?: number } = {}) {
  const checks = await db
    .select({ id: consistencyChecks.id, ok: consistencyChecks.ok, driftAccounts: consistencyChecks.driftAccounts, checkedAt: consistencyChecks.checkedAt })
    .from(consistencyChecks)
    .orderBy(desc(consistencyChecks.checkedAt))
    .limit(Math.min(opts.limit ?? 20, 100));
  const latest = checks[0];
  if (!latest || latest.ok) return { checks, drift: [], revenueMismatches: [], unbalancedTransfers: [] };
  const [row] = await db.select({ report: consistencyChecks.report }).from(consistencyChecks).where(eq(consistencyChecks.id, latest.id));
  const report = (row?.report ?? {}) as {
    drift?: { accountId: string; balance: string; entriesSum: string; drift: string }[];
    revenueMismatches?: { orderId: string; status: string | null; expected: string | null; recognised: string }[];
    unbalancedTransfers?: string[];
  };
  const drift = report.drift ?? [];
  const accounts = drift.length
    ? await db
        .select({
          id: ledgerAccounts.id,
          partnerId: ledgerAccounts.partnerId,
          kind: ledgerAccounts.kind,
          currency: ledgerAccounts.currency,
          environment: ledgerAccounts.environment,
        })
        .from(ledgerAccounts)
        .where(
          and(
            inArray(
              ledgerAccounts.id,
              drift.map((d) => d.accountId),
            ),
          ),
        )
    : [];
  return {
    checks,
    drift: drift.map((d) => ({ ...d, account: accounts.find((a) => a.id === d.accountId) ?? null })),
    revenueMismatches: (report.revenueMismatches ?? []).slice(0, 100),
    unbalancedTransfers: (report.unbalancedTransfers ?? []).slice(0, 100),
  };
}
