import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { recordAudit } from "@/server/audit";
import type { DbOrTx } from "@/server/db/client";
import { users } from "@/server/db/schema";
import { releaseAttempt, reserveAttempt, type LoginLimits } from "./login";
import { hashPassword, verifyPassword } from "./password";

/**
 * Session versions: every session token carries the user's `session_version` at sign-in, and
 * each request compares it with the database (`sessionUserFromToken`). Signing out and changing
 * the password increment it, which ends every other session of the user at its next request.
 */

/**
 * Ends every session of the user that carries `fromVersion` (the signing-out session and its
 * siblings). A token already out of date changes nothing, so a stale token cannot be used to
 * sign the user's current sessions out. Returns the new version, or null.
 */
export async function endSessions(db: DbOrTx, userId: string, fromVersion: number): Promise<number | null> {
  const [row] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
    .where(and(eq(users.id, userId), eq(users.sessionVersion, fromVersion)))
    .returning({ sessionVersion: users.sessionVersion });
  return row?.sessionVersion ?? null;
}

/**
 * What lets the session token of the request that changed the password move to the new
 * version: an HMAC of user and version under AUTH_SECRET, passed server-side only (a client
 * asking next-auth to update its session cannot produce one, so an ended session stays ended).
 */
export function sessionProof(secret: string, userId: string, sessionVersion: number): string {
  return createHmac("sha256", secret).update(`session-version:${userId}:${sessionVersion}`).digest("base64url");
}

export function checkSessionProof(secret: string, userId: string, sessionVersion: number, proof: unknown): boolean {
  if (typeof proof !== "string") return false;
  const want = Buffer.from(sessionProof(secret, userId, sessionVersion));
  const got = Buffer.from(proof);
  return got.length === want.length && timingSafeEqual(got, want);
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

export type PasswordChangeErrorCode = "wrong_password" | "weak_password" | "rate_limited" | "user_not_found";

export class PasswordChangeError extends DomainError<PasswordChangeErrorCode> {
  constructor(code: PasswordChangeErrorCode, message: string, param?: string) {
    super(code, message, { param });
    this.name = "PasswordChangeError";
  }
}

/**
 * Changes a signed-in user's password: the current one must match (wrong guesses count against
 * the sign-in limiter of the email and IP), the new one is hashed with the current hasher, and
 * the session version moves on, which ends every other session. Returns the new version, for
 * the caller's own session to move to.
 */
export async function changePassword(
  db: DbOrTx,
  input: { userId: string; currentPassword: string; newPassword: string; ip: string },
  limits: LoginLimits,
): Promise<{ sessionVersion: number }> {
  if (input.newPassword.length < PASSWORD_MIN_LENGTH || input.newPassword.length > PASSWORD_MAX_LENGTH) {
    throw new PasswordChangeError("weak_password", `The new password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`, "newPassword");
  }
  if (input.newPassword === input.currentPassword)
    throw new PasswordChangeError("weak_password", "The new password must differ from the current one", "newPassword");
  const [user] = await db.select({ email: users.email, hash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  if (!user) throw new PasswordChangeError("user_not_found", "No such user");
  const attempt = await reserveAttempt(db, user.email.toLowerCase(), input.ip, limits);
  if (attempt === null) throw new PasswordChangeError("rate_limited", "Too many wrong passwords. Please wait a few minutes before trying again.");
  if (!(await verifyPassword(input.currentPassword, user.hash)))
    throw new PasswordChangeError("wrong_password", "The current password is not correct", "currentPassword");
  await releaseAttempt(db, attempt);
  const passwordHash = await hashPassword(input.newPassword);
  const [row] = await db
    .update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date(), updatedBy: input.userId })
    // Over the hash that was checked: two changes at once cannot both win.
    .where(and(eq(users.id, input.userId), eq(users.passwordHash, user.hash)))
    .returning({ sessionVersion: users.sessionVersion });
  if (!row) throw new PasswordChangeError("wrong_password", "The password was changed meanwhile; sign in again");
  await recordAudit(db, { actor: input.userId, action: "user.password_changed", targetType: "user", targetId: input.userId });
  return { sessionVersion: row.sessionVersion };
}
