import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAudit } from "@/server/audit";
import { hashPassword } from "@/server/auth/password";
import type { MemberRole } from "@/server/auth/session-user";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/server/auth/sessions";
import type { Db, DbOrTx } from "@/server/db/client";
import { invitations, memberships, partners, users } from "@/server/db/schema";
import { requestEmail } from "@/server/email";
import { isMemberEmail } from "./members";

/** How long an invitation link stays valid. */
const INVITATION_TTL_DAYS = 7;
const DAY_MS = 24 * 3600_000;

/**
 * The link's token: 32 random bytes (base64url). Only its SHA-256 is stored, so the database
 * alone cannot produce a working link; resending replaces it, which voids the previous link.
 */
function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}

const hashToken = (token: string) => createHash("sha256").update(`invitation:${token}`).digest("hex");

/** The accept page's address for a token (the email's link). */
const acceptPath = (token: string) => `/invite/${encodeURIComponent(token)}`;

export type InvitationState = "pending" | "expired" | "accepted" | "revoked";

function stateOf(inv: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now = new Date()): InvitationState {
  if (inv.acceptedAt) return "accepted";
  if (inv.revokedAt) return "revoked";
  return inv.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
}

const notFound = () => new DomainError("resource_not_found", "No invitation of yours with this id.", { param: "invitationId" });
const normalise = (email: string) => email.trim().toLowerCase();

/** Requests the invitation email (sent after the commit by the email function), with its link. */
async function sendInviteEmail(
  tx: DbOrTx,
  input: { invitationId: string; partnerId: string; email: string; role: MemberRole; token: string; actor: string; appUrl: string },
) {
  const [partner] = await tx.select({ name: partners.businessName }).from(partners).where(eq(partners.id, input.partnerId));
  const [inviter] = await tx.select({ name: users.name }).from(users).where(eq(users.id, input.actor));
  await requestEmail(tx, {
    to: input.email,
    partnerId: input.partnerId,
    template: "team_invite",
    params: {
      inviterName: inviter?.name ?? "A teammate",
      companyName: partner?.name ?? "a partner",
      role: input.role,
      acceptUrl: `${input.appUrl}${acceptPath(input.token)}`,
      expiresInDays: String(INVITATION_TTL_DAYS),
    },
    key: `team_invite:${input.invitationId}:${createHash("sha256").update(input.token).digest("hex").slice(0, 16)}`,
  });
}

/**
 * Invites an address to the partner with a role: an invitation row (the token's hash, expiring in
 * INVITATION_TTL_DAYS) and its email, in one transaction. A member, or an address with an open
 * invitation, is refused (already_member). Returns the token too, for tests and callers that
 * show the link; the dashboard does not.
 */
/** `appUrl`: the app's public origin for the email's link (`services.email.appUrl`). */
export async function createInvitation(db: Db, input: { partnerId: string; email: string; role: MemberRole; actor: string; appUrl: string; now?: Date }) {
  const email = normalise(input.email);
  const now = input.now ?? new Date();
  const { token, tokenHash } = newToken();
  try {
    return await db.transaction(async (tx) => {
      if (await isMemberEmail(tx, input.partnerId, email))
        throw new DomainError("already_member", "This person is already a member of your team.", { param: "email" });
      const [row] = await tx
        .insert(invitations)
        .values({
          id: newId("inv"),
          partnerId: input.partnerId,
          email,
          role: input.role,
          tokenHash,
          invitedBy: input.actor,
          expiresAt: new Date(now.getTime() + INVITATION_TTL_DAYS * DAY_MS),
          sentAt: now,
        })
        .returning();
      await sendInviteEmail(tx, {
        invitationId: row!.id,
        partnerId: input.partnerId,
        email,
        role: input.role,
        token,
        actor: input.actor,
        appUrl: input.appUrl,
      });
      await recordAudit(tx, {
        actor: input.actor,
        partnerId: input.partnerId,
        action: "team.invitation_created",
        targetType: "invitation",
        targetId: row!.id,
        metadata: { email, role: input.role },
      });
      return { invitation: publicInvitation(row!, now), token };
    });
  } catch (error) {
    if (isUniqueViolation(error, "invitations_open_uq"))
      throw new DomainError("already_member", "This address already has an open invitation: resend or revoke it.", { param: "email" });
    throw error;
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const pg = e as { code?: string; constraint_name?: string; constraint?: string };
    if (pg.code === "23505" && (pg.constraint_name === constraint || pg.constraint === constraint)) return true;
  }
  return false;
}

function publicInvitation(row: typeof invitations.$inferSelect, now = new Date()) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    state: stateOf(row, now),
    expiresAt: row.expiresAt,
    sentAt: row.sentAt,
    createdAt: row.createdAt,
  };
}

/** The partner's invitations not yet accepted nor revoked (pending or expired), newest first. */
export async function listOpenInvitations(db: DbOrTx, partnerId: string, now = new Date()) {
  const rows = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.partnerId, partnerId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt), desc(invitations.id));
  return rows.map((r) => publicInvitation(r, now));
}

/** Sends an open invitation again with a new link (the old one stops working) and a new expiry. */
export async function resendInvitation(db: Db, input: { partnerId: string; invitationId: string; actor: string; appUrl: string; now?: Date }) {
  const now = input.now ?? new Date();
  const { token, tokenHash } = newToken();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ tokenHash, expiresAt: new Date(now.getTime() + INVITATION_TTL_DAYS * DAY_MS), sentAt: now })
      .where(
        and(eq(invitations.id, input.invitationId), eq(invitations.partnerId, input.partnerId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
      )
      .returning();
    if (!row) throw notFound();
    await sendInviteEmail(tx, {
      invitationId: row.id,
      partnerId: row.partnerId,
      email: row.email,
      role: row.role,
      token,
      actor: input.actor,
      appUrl: input.appUrl,
    });
    await recordAudit(tx, { actor: input.actor, partnerId: input.partnerId, action: "team.invitation_resent", targetType: "invitation", targetId: row.id });
    return { invitation: publicInvitation(row, now), token };
  });
}

/** Revokes an open invitation: its link answers "revoked" from now on. */
export async function revokeInvitation(db: Db, input: { partnerId: string; invitationId: string; actor: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(eq(invitations.id, input.invitationId), eq(invitations.partnerId, input.partnerId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
      )
      .returning();
    if (!row) throw notFound();
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "team.invitation_revoked",
      targetType: "invitation",
      targetId: row.id,
      metadata: { email: row.email },
    });
    return publicInvitation(row);
  });
}

export type InvitationLookup =
  | { state: "invalid" }
  | { state: InvitationState; invitationId: string; partnerId: string; partnerName: string; email: string; role: MemberRole; accountExists: boolean };

/** What the accept page shows for a token: unknown, expired, used, revoked, or pending (with who and where). */
export async function lookUpInvitation(db: DbOrTx, token: string, now = new Date()): Promise<InvitationLookup> {
  if (!token || token.length > 200) return { state: "invalid" };
  const [row] = await db
    .select({ inv: invitations, partnerName: partners.businessName, partnerStatus: partners.status })
    .from(invitations)
    .innerJoin(partners, eq(partners.id, invitations.partnerId))
    .where(eq(invitations.tokenHash, hashToken(token)));
  if (row?.partnerStatus !== "active") return { state: "invalid" };
  const [account] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.email})`, row.inv.email))
    .limit(1);
  return {
    state: stateOf(row.inv, now),
    invitationId: row.inv.id,
    partnerId: row.inv.partnerId,
    partnerName: row.partnerName,
    email: row.inv.email,
    role: row.inv.role,
    accountExists: Boolean(account),
  };
}

const unavailable = (state: InvitationState | "invalid") =>
  new DomainError(
    "invitation_unavailable",
    state === "expired"
      ? "This invitation has expired: ask for a new one."
      : state === "accepted"
        ? "This invitation was already used."
        : state === "revoked"
          ? "This invitation was revoked."
          : "This invitation link is not valid.",
  );

export type AcceptInput = { token: string; now?: Date } & ({ userId: string } | { name: string; password: string });

/**
 * Accepts an invitation, once: the row is locked and must be pending. A signed-in user whose
 * address is the invited one gets a membership added to their account (never a second user);
 * a new person gets a user (email verified: they followed the link) and the membership. Returns
 * the user and partner, so the caller can sign in and open that workspace.
 */
export async function acceptInvitation(
  db: Db,
  input: AcceptInput,
): Promise<{ userId: string; email: string; partnerId: string; role: MemberRole; newUser: boolean }> {
  const now = input.now ?? new Date();
  let passwordHash: string | null = null;
  if ("password" in input) {
    if (input.password.length < PASSWORD_MIN_LENGTH || input.password.length > PASSWORD_MAX_LENGTH)
      throw new DomainError("weak_password", `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`, { param: "password" });
    if (!input.name.trim()) throw new DomainError("invalid_parameter", "Your name is required.", { param: "name" });
    passwordHash = await hashPassword(input.password);
  }
  return db.transaction(async (tx) => {
    const [inv] = await tx
      .select()
      .from(invitations)
      .where(eq(invitations.tokenHash, hashToken(input.token)))
      .for("update");
    if (!inv) throw unavailable("invalid");
    const state = stateOf(inv, now);
    if (state !== "pending") throw unavailable(state);
    const [existing] = await tx
      .select({ id: users.id, status: users.status })
      .from(users)
      .where(eq(sql`lower(${users.email})`, inv.email))
      .limit(1);
    let userId: string;
    let newUser = false;
    if ("userId" in input) {
      if (!existing || existing.id !== input.userId)
        throw new DomainError("invitation_unavailable", `This invitation is for ${inv.email}: sign in with that address to accept it.`);
      userId = existing.id;
    } else {
      if (existing) throw new DomainError("email_taken", `An account with ${inv.email} already exists: sign in to accept the invitation.`);
      userId = newId("usr");
      await tx
        .insert(users)
        .values({ id: userId, email: inv.email, name: input.name.trim(), passwordHash: passwordHash!, emailVerifiedAt: now, createdBy: "invitation" });
      newUser = true;
    }
    const [added] = await tx
      .insert(memberships)
      .values({ id: newId("mem"), userId, partnerId: inv.partnerId, role: inv.role })
      .onConflictDoNothing()
      .returning({ id: memberships.id });
    if (!added) throw new DomainError("already_member", "You are already a member of this team.");
    await tx.update(invitations).set({ acceptedAt: now, acceptedBy: userId }).where(eq(invitations.id, inv.id));
    await recordAudit(tx, {
      actor: userId,
      partnerId: inv.partnerId,
      action: "team.invitation_accepted",
      targetType: "invitation",
      targetId: inv.id,
      metadata: { role: inv.role, membershipId: added.id, newUser },
    });
    return { userId, email: inv.email, partnerId: inv.partnerId, role: inv.role, newUser };
  });
}
