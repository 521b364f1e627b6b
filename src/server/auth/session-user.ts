import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { adminSecondFactors, memberships, partners, users } from "@/server/db/schema";

export type MemberRole = "owner" | "developer" | "finance";

export interface WorkspaceMembership {
  partnerId: string;
  partnerName: string;
  role: MemberRole;
}

export type AdminFactor = "enrol" | "verify" | "passed";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  /**
   * A platform admin who passed the second factor in this session: the only thing that opens
   * `adminProcedure` and the admin pages.
   */
  isAdmin: boolean;
  /**
   * For platform admins, where they stand with the second factor: `enrol` (no authenticator yet:
   * /admin/security), `verify` (enrolled, code not yet entered in this session), `passed`
   * (= isAdmin). null for everyone else.
   */
  adminFactor: AdminFactor | null;
  /** The active workspace: the one asked for (the `steller_workspace` cookie) when the user is a member of it, else the first. */
  membership: WorkspaceMembership | null;
  /** Every workspace (active partner) the user belongs to, oldest membership first. */
  memberships: WorkspaceMembership[];
}

/** The cookie that names the active workspace (a partner id); checked against the memberships on every request. */
export const WORKSPACE_COOKIE = "steller_workspace";

/**
 * Loads who a session belongs to, from the database, on every request: a suspended user,
 * a removed member or a suspended partner loses access at once, not when the JWT expires.
 * With `sessionVersion` (what the session token carries), a session older than the user's last
 * sign-out or password change is refused too; `sessionUserFromToken` always checks it.
 * A platform admin is an admin (`isAdmin`) only with `secondFactorPassed` (what the session token
 * says, set only after a valid code); without it they are signed in but get nothing of /admin.
 */
export async function loadSessionUser(
  db: DbOrTx,
  userId: string,
  sessionVersion?: number,
  activePartnerId?: string | null,
  secondFactorPassed = false,
): Promise<SessionUser | null> {
  const rows = await db
    .select({
      id: users.id,
      sessionVersion: users.sessionVersion,
      email: users.email,
      name: users.name,
      platformRole: users.platformRole,
      status: users.status,
      partnerId: memberships.partnerId,
      role: memberships.role,
      partnerName: partners.businessName,
      partnerStatus: partners.status,
    })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(partners, eq(partners.id, memberships.partnerId))
    .where(eq(users.id, userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.id));
  const row = rows[0];
  if (row?.status !== "active") return null;
  if (sessionVersion !== undefined && row.sessionVersion !== sessionVersion) return null;
  const all: WorkspaceMembership[] = [];
  for (const r of rows) {
    if (r.partnerId && r.role && r.partnerName && r.partnerStatus === "active") all.push({ partnerId: r.partnerId, partnerName: r.partnerName, role: r.role });
  }
  const membership = all.find((m) => m.partnerId === activePartnerId) ?? all[0] ?? null;
  const platformAdmin = row.platformRole === "admin";
  if (!platformAdmin && !membership) return null;
  let adminFactor: AdminFactor | null = null;
  if (platformAdmin && secondFactorPassed) adminFactor = "passed";
  else if (platformAdmin) {
    const [factor] = await db.select({ confirmedAt: adminSecondFactors.confirmedAt }).from(adminSecondFactors).where(eq(adminSecondFactors.userId, row.id));
    adminFactor = factor?.confirmedAt ? "verify" : "enrol";
  }
  return { id: row.id, email: row.email, name: row.name, isAdmin: adminFactor === "passed", adminFactor, membership, memberships: all };
}

/**
 * The user of a session token (`sub` = user id, `sv` = session version, `tf` = second factor
 * passed), checked against the database; a token without a version (issued before versions
 * existed) is refused.
 */
export async function sessionUserFromToken(
  db: DbOrTx,
  token: { id?: unknown; sv?: unknown; tf?: unknown },
  activePartnerId?: string | null,
): Promise<SessionUser | null> {
  if (typeof token.id !== "string" || !token.id || typeof token.sv !== "number") return null;
  return loadSessionUser(db, token.id, token.sv, activePartnerId, token.tf === true);
}
