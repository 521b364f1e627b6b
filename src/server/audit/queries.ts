import { and, desc, eq, gte, ilike, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import type { DbOrTx } from "@/server/db/client";
import { auditLog, partners, users } from "@/server/db/schema";
import { csvCell } from "@/server/ledger/statements";

/**
 * Reading the audit log (admin view, CSV export, `GET /api/admin/audit-log`): the same filters
 * everywhere, newest first, cursor = the last id seen (ids sort by creation time).
 */
export interface AuditFilters {
  /** A user id (`usr_…`), an API key or admin token id, `system:<what>`, or a user's email. */
  actor?: string;
  partnerId?: string;
  /** An action (`wallet.credit`) or its family (`wallet`: every `wallet.…`). */
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  /** Inclusive: a date without a time means the whole day (the caller passes the day's end). */
  to?: Date;
}

const escapeLike = (s: string) => s.replace(/[%_\\]/g, "\\$&");

function conditions(f: AuditFilters): SQL[] {
  const where: SQL[] = [];
  if (f.actor) {
    const actor = f.actor.trim();
    if (actor.includes("@")) where.push(sql`${auditLog.actorUserId} in (select ${users.id} from ${users} where lower(${users.email}) = lower(${actor}))`);
    else where.push(or(eq(auditLog.actorUserId, actor), sql`${auditLog.metadata}->>'actor' = ${actor}`)!);
  }
  if (f.partnerId) where.push(eq(auditLog.partnerId, f.partnerId));
  if (f.action) where.push(or(eq(auditLog.action, f.action), ilike(auditLog.action, `${escapeLike(f.action)}.%`))!);
  if (f.targetType) where.push(eq(auditLog.targetType, f.targetType));
  if (f.targetId) where.push(eq(auditLog.targetId, f.targetId));
  if (f.from) where.push(gte(auditLog.at, f.from));
  if (f.to) where.push(lte(auditLog.at, f.to));
  return where;
}

const selection = {
  entry: auditLog,
  actorEmail: users.email,
  actorName: users.name,
  partnerName: partners.businessName,
};

type Joined = { entry: typeof auditLog.$inferSelect; actorEmail: string | null; actorName: string | null; partnerName: string | null };

export interface AuditRecord {
  id: string;
  at: string;
  /** Who acted: the user id, or the key/token id or `system:<what>` for non-users. */
  actor: string;
  actorType: string;
  actorEmail: string | null;
  actorName: string | null;
  partnerId: string | null;
  partnerName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  reason: string | null;
  ip: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
}

function present(r: Joined): AuditRecord {
  const e = r.entry;
  const other = typeof e.metadata?.actor === "string" ? e.metadata.actor : null;
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: e.actorUserId ?? other ?? e.actorType,
    actorType: e.actorType,
    actorEmail: r.actorEmail,
    actorName: r.actorName,
    partnerId: e.partnerId,
    partnerName: r.partnerName,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    reason: e.reason,
    ip: e.ip,
    before: e.before,
    after: e.after,
    metadata: e.metadata,
  };
}

function query(db: DbOrTx, where: SQL[], limit: number) {
  return db
    .select(selection)
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .leftJoin(partners, eq(partners.id, auditLog.partnerId))
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}

/** A page of audit entries, newest first: `{ data, hasMore, nextCursor }` as every list of the API. */
export async function listAuditEntries(db: DbOrTx, f: AuditFilters & { limit: number; startingAfter?: string }) {
  const where = conditions(f);
  if (f.startingAfter) where.push(lt(auditLog.id, f.startingAfter));
  const rows = await query(db, where, f.limit + 1);
  const page = rows.slice(0, f.limit);
  const hasMore = rows.length > f.limit;
  return { data: page.map(present), hasMore, nextCursor: hasMore ? (page[page.length - 1]?.entry.id ?? null) : null };
}

/** One entry, with its before/after and metadata. */
export async function getAuditEntry(db: DbOrTx, id: string): Promise<AuditRecord> {
  const [row] = await query(db, [eq(auditLog.id, id)], 1);
  if (!row) throw new DomainError("resource_not_found", `No audit entry ${id}`, { param: "id" });
  return present(row);
}

const CSV_COLUMNS = [
  "at",
  "id",
  "actor_type",
  "actor",
  "actor_email",
  "partner_id",
  "partner_name",
  "action",
  "target_type",
  "target_id",
  "reason",
  "ip",
  "before",
  "after",
  "metadata",
] as const;
const json = (v: unknown) => (v == null ? "" : JSON.stringify(v));

function csvLine(r: AuditRecord): string {
  return `${[
    r.at,
    r.id,
    r.actorType,
    r.actor,
    r.actorEmail,
    r.partnerId,
    r.partnerName,
    r.action,
    r.targetType,
    r.targetId,
    r.reason,
    r.ip,
    json(r.before),
    json(r.after),
    json(r.metadata),
  ]
    .map(csvCell)
    .join(",")}\r\n`;
}

const CSV_PAGE = 500;

/**
 * The filtered audit log as CSV (RFC 4180, formula-safe cells), newest first, produced a page of
 * CSV_PAGE entries at a time so an export of any size never sits whole in memory.
 */
export async function* auditCsv(db: DbOrTx, f: AuditFilters): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(",")}\r\n`;
  let after: string | undefined;
  for (;;) {
    const page = await listAuditEntries(db, { ...f, limit: CSV_PAGE, startingAfter: after });
    if (page.data.length) yield page.data.map(csvLine).join("");
    if (!page.hasMore) return;
    after = page.nextCursor!;
  }
}

/** The distinct actions recorded so far (the view's action filter). */
export async function auditActions(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(auditLog.action);
  return rows.map((r) => r.action);
}
