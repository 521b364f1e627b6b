import { and, desc, eq, sql } from "drizzle-orm";
import { sha256Hex } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { agencyStatements } from "@/server/db/schema";
import type { LedgerEnvironment } from "@/server/ledger/accounts";
import { agentReport, agentReportCsv, subAgentReport, subAgentReportCsv } from "./reports";

/*
 * Monthly statements (issue 18): for every agent and sub-agent, the month's report (the agent's:
 * each sub-agent and the totals; the sub-agent's: its own figures) rendered as CSV once, after
 * the month ends, and kept: the exact text, the figures it came from and its SHA-256. A kept
 * statement is never rewritten: generating the month again finds it and returns it as it was,
 * whatever happened in the ledger since (a download gives the same bytes as the first one).
 */

const PERIOD = /^(\d{4})-(\d{2})$/;

/** The month before `now` (UTC), "2026-10". */
export function previousPeriod(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

/** [first day 00:00 UTC, first day of the next month) of a "YYYY-MM" period. */
function periodBounds(period: string): { from: Date; to: Date } {
  const m = PERIOD.exec(period);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) throw new Error(`not a period: ${period}`);
  const year = Number(m[1]);
  return { from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)) };
}

type Scope = "agent" | "sub_agent";

/** The statement of one partner for one month and environment, rendered now (not kept). */
export async function renderStatement(db: DbOrTx, q: { partnerId: string; scope: Scope; environment: LedgerEnvironment; period: string }) {
  const range = { environment: q.environment, ...periodBounds(q.period) };
  if (q.scope === "agent") {
    const report = await agentReport(db, q.partnerId, range);
    return { csv: agentReportCsv(report), data: JSON.parse(JSON.stringify(report)) as Record<string, unknown> };
  }
  const report = await subAgentReport(db, q.partnerId, range);
  return { csv: subAgentReportCsv(report), data: JSON.parse(JSON.stringify(report)) as Record<string, unknown> };
}

export type KeptStatement = typeof agencyStatements.$inferSelect;

/**
 * Keeps the statement of one partner, month and environment: rendered and stored if there is
 * none yet, else the one kept (unchanged). `created` says which.
 */
export async function keepStatement(
  db: DbOrTx,
  q: { partnerId: string; scope: Scope; environment: LedgerEnvironment; period: string },
): Promise<{ statement: KeptStatement; created: boolean }> {
  const existing = await findKept(db, q);
  if (existing) return { statement: existing, created: false };
  const { csv, data } = await renderStatement(db, q);
  const { from, to } = periodBounds(q.period);
  const [row] = await db
    .insert(agencyStatements)
    .values({
      id: newId("ast"),
      partnerId: q.partnerId,
      environment: q.environment,
      scope: q.scope,
      period: q.period,
      periodStart: from,
      periodEnd: to,
      csv,
      data,
      sha256: sha256Hex(csv),
    })
    .onConflictDoNothing()
    .returning();
  if (row) return { statement: row, created: true };
  // A concurrent run kept it first.
  const kept = await findKept(db, q);
  if (!kept) throw new Error(`statement of ${q.partnerId} for ${q.period} vanished`);
  return { statement: kept, created: false };
}

async function findKept(db: DbOrTx, q: { partnerId: string; environment: LedgerEnvironment; period: string }) {
  const [row] = await db
    .select()
    .from(agencyStatements)
    .where(and(eq(agencyStatements.partnerId, q.partnerId), eq(agencyStatements.environment, q.environment), eq(agencyStatements.period, q.period)))
    .limit(1);
  return row ?? null;
}

/**
 * The month's statements of every agent and sub-agent, in each environment where it (or, for an
 * agent, its sub-agents) has a ledger account: those not kept yet are rendered and kept.
 */
export async function generateMonthlyStatements(db: DbOrTx, period: string): Promise<{ period: string; created: number; kept: number }> {
  periodBounds(period);
  const nodes = await db.execute<{ id: string; scope: Scope; environment: LedgerEnvironment }>(sql`
    select distinct p.id, p.kind::text as scope, a.environment::text as environment
    from partners p
    join ledger_accounts a on a.partner_id = p.id
      or (p.kind = 'agent' and a.partner_id in (select s.id from partners s where s.parent_id = p.id and s.kind = 'sub_agent'))
    where p.kind in ('agent', 'sub_agent')
    order by 1, 3`);
  let created = 0;
  let kept = 0;
  for (const n of nodes) {
    const r = await keepStatement(db, { partnerId: n.id, scope: n.scope, environment: n.environment, period });
    if (r.created) created++;
    else kept++;
  }
  return { period, created, kept };
}

/** The partner's kept statements of one environment, newest month first (without their text). */
export function listStatements(db: DbOrTx, partnerId: string, environment: LedgerEnvironment) {
  return db
    .select({
      id: agencyStatements.id,
      period: agencyStatements.period,
      scope: agencyStatements.scope,
      sha256: agencyStatements.sha256,
      generatedAt: agencyStatements.generatedAt,
    })
    .from(agencyStatements)
    .where(and(eq(agencyStatements.partnerId, partnerId), eq(agencyStatements.environment, environment)))
    .orderBy(desc(agencyStatements.period))
    .limit(120);
}

/** One kept statement of the partner, as kept (null if there is none with this id for it). */
export async function getKeptStatement(db: DbOrTx, q: { partnerId: string; id: string }) {
  const [row] = await db
    .select()
    .from(agencyStatements)
    .where(and(eq(agencyStatements.id, q.id), eq(agencyStatements.partnerId, q.partnerId)))
    .limit(1);
  if (!row) return null;
  return { filename: `steller-${row.scope.replace("_", "-")}-statement-${row.period}-${row.environment}.csv`, csv: row.csv, sha256: row.sha256 };
}
