import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { memberships, partners, users } from "@/server/db/schema";

export type MemberRole = "owner" | "developer" | "finance";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  membership: {
    partnerId: string;
    partnerName: string;
    role: MemberRole;
  } | null;
}

/**
 * Loads who a session belongs to, from the database, on every request: a suspended user,
 * a removed member or a suspended partner loses access at once, not when the JWT expires.
 * With `sessionVersion` (what the session token carries), a session older than the user's last
 * sign-out or password change is refused too; `sessionUserFromToken` always checks it.
 */
export async function loadSessionUser(db: DbOrTx, userId: string, sessionVersion?: number): Promise<SessionUser | null> {
  const [row] = await db
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
    .limit(1);
  if (row?.status !== "active") return null;
  if (sessionVersion !== undefined && row.sessionVersion !== sessionVersion) return null;
  const membership =
    row.partnerId && row.role && row.partnerName && row.partnerStatus === "active"
      ? { partnerId: row.partnerId, partnerName: row.partnerName, role: row.role }
      : null;
  const isAdmin = row.platformRole === "admin";
  if (!isAdmin && !membership) return null;
  return { id: row.id, email: row.email, name: row.name, isAdmin, membership };
}

/**
 * The user of a session token (`sub` = user id, `sv` = session version), checked against the
 * database; a token without a version (issued before versions existed) is refused.
 */
export async function sessionUserFromToken(db: DbOrTx, token: { id?: unknown; sv?: unknown }): Promise<SessionUser | null> {
  if (typeof token.id !== "string" || !token.id || typeof token.sv !== "number") return null;
  return loadSessionUser(db, token.id, token.sv);
}
