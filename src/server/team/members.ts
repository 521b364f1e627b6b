import { and, asc, eq, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { recordAudit } from "@/server/audit";
import type { MemberRole } from "@/server/auth/session-user";
import type { Db, DbOrTx } from "@/server/db/client";
import { memberships, users } from "@/server/db/schema";

/** A partner's members: name, email, role, when they joined, their last sign-in (any workspace). */
export async function listMembers(db: DbOrTx, partnerId: string) {
  return db
    .select({
      membershipId: memberships.id,
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
      lastSignInAt: users.lastLoginAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.partnerId, partnerId))
    .orderBy(asc(memberships.createdAt), asc(memberships.id));
}

const notFound = () => new DomainError("resource_not_found", "No member of yours with this id.", { param: "membershipId" });

/**
 * Locks every membership of the partner (FOR UPDATE, in id order) for the rest of the
 * transaction: two owners demoting or removing each other at once are serialised, and the second
 * sees the first's change, so the partner never ends with zero owners.
 */
async function lockMemberships(tx: DbOrTx, partnerId: string) {
  return tx
    .select({ id: memberships.id, userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.partnerId, partnerId))
    .orderBy(asc(memberships.id))
    .for("update");
}

function assertOwnerRemains(locked: { id: string; role: MemberRole }[], changing: string) {
  const owners = locked.filter((m) => m.role === "owner" && m.id !== changing);
  if (owners.length === 0) throw new DomainError("last_owner", "A partner always keeps at least one owner: make someone else owner first.");
}

/** Changes a member's role (owners only, checked by the caller); the last owner cannot be demoted. Audited. */
export async function changeMemberRole(db: Db, input: { partnerId: string; membershipId: string; role: MemberRole; actor: string }) {
  return db.transaction(async (tx) => {
    const locked = await lockMemberships(tx, input.partnerId);
    const target = locked.find((m) => m.id === input.membershipId);
    if (!target) throw notFound();
    if (target.role === input.role) return { membershipId: target.id, role: target.role, changed: false };
    if (target.role === "owner") assertOwnerRemains(locked, target.id);
    await tx
      .update(memberships)
      .set({ role: input.role, updatedAt: new Date() })
      .where(and(eq(memberships.id, target.id), eq(memberships.partnerId, input.partnerId)));
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "team.role_changed",
      targetType: "membership",
      targetId: target.id,
      metadata: { userId: target.userId, from: target.role, to: input.role },
    });
    return { membershipId: target.id, role: input.role, changed: true };
  });
}

/**
 * Removes a member from the partner (their user and other workspaces stay); the last owner cannot
 * be removed. The session is re-read from the database on every request, so access ends at once.
 */
export async function removeMember(db: Db, input: { partnerId: string; membershipId: string; actor: string }) {
  return db.transaction(async (tx) => {
    const locked = await lockMemberships(tx, input.partnerId);
    const target = locked.find((m) => m.id === input.membershipId);
    if (!target) throw notFound();
    if (target.role === "owner") assertOwnerRemains(locked, target.id);
    await tx.delete(memberships).where(and(eq(memberships.id, target.id), eq(memberships.partnerId, input.partnerId)));
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "team.member_removed",
      targetType: "membership",
      targetId: target.id,
      metadata: { userId: target.userId, role: target.role },
    });
    return { membershipId: target.id, removed: true };
  });
}

/** True when the address already belongs to a member of the partner. */
export async function isMemberEmail(db: DbOrTx, partnerId: string, email: string): Promise<boolean> {
  const [row] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.partnerId, partnerId), eq(sql`lower(${users.email})`, email.toLowerCase())))
    .limit(1);
  return Boolean(row);
}
