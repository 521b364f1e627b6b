import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { and, eq, isNull, or, lt, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import qrcode from "qrcode-generator";
import { decryptSecret, encryptSecret, sha256Hex } from "@/lib/crypto";
import { recordAudit } from "@/server/audit";
import type { DbOrTx } from "@/server/db/client";
import { adminRecoveryCodes, adminSecondFactors, users } from "@/server/db/schema";
import { releaseAttempt, reserveAttempt, type LoginLimits } from "./login";

/**
 * The second factor of platform admins: a TOTP authenticator (RFC 6238, 6 digits, 30 s, SHA-1:
 * what every authenticator app reads from a QR code) plus 10 single-use recovery codes.
 *
 * - Enrolment: the secret is made here, stored encrypted (ENCRYPTION_KEY) and shown once (QR +
 *   text); it counts only once the admin proves it with a code, which also issues the recovery
 *   codes (shown once, stored as SHA-256).
 * - Sign-in: after the password, a code (or a recovery code); wrong ones count against the
 *   sign-in limiter of the admin's email and IP. A TOTP code is accepted only for a time step
 *   later than the last accepted one, so a code seen once cannot be replayed in its window.
 * - What the session carries: `secondFactorProof` (an HMAC under AUTH_SECRET that only the server
 *   can make), checked when the session token is updated (src/server/auth/index.ts).
 *
 * Enrolment, recovery-code use, new recovery codes and resets are audited. Secrets and codes are
 * never logged.
 */

const ISSUER = "Steller";
const PERIOD = 30;
const DIGITS = 6;
/** One step either side: an authenticator a little out of sync still works. */
const WINDOW = 1;
const RECOVERY_CODE_COUNT = 10;

export type SecondFactorState = "none" | "pending" | "enrolled";

export type SecondFactorFailure = "wrong_code" | "replayed" | "rate_limited" | "not_enrolled" | "already_enrolled";

export const secondFactorMessages: Record<SecondFactorFailure, string> = {
  wrong_code: "That code is not correct. Enter the 6-digit code your authenticator shows now, or a recovery code.",
  replayed: "That code was already used. Wait for your authenticator to show the next one.",
  rate_limited: "Too many wrong codes. Please wait a few minutes before trying again.",
  not_enrolled: "There is no authenticator to check: set one up first.",
  already_enrolled: "An authenticator is already set up for this account.",
};

export type SecondFactorResult<T = object> = ({ ok: true } & T) | { ok: false; reason: SecondFactorFailure };

function totpOf(secret: Secret, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: DIGITS, period: PERIOD, secret });
}

/** The otpauth:// URL of a secret (what the QR code holds). */
export function otpauthUrl(secretBase32: string, label: string): string {
  return totpOf(Secret.fromBase32(secretBase32), label).toString();
}

/** The current code of a secret (dev banner, tests and the e2e sign-in helper compute it the same way). */
export function currentCode(secretBase32: string, timestamp = Date.now()): string {
  return totpOf(Secret.fromBase32(secretBase32), "code").generate({ timestamp });
}

/** The QR code of an otpauth:// URL, as an SVG document. */
function qrSvg(text: string): string {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
}

export async function secondFactorState(db: DbOrTx, userId: string): Promise<SecondFactorState> {
  const [row] = await db.select({ confirmedAt: adminSecondFactors.confirmedAt }).from(adminSecondFactors).where(eq(adminSecondFactors.userId, userId));
  return !row ? "none" : row.confirmedAt ? "enrolled" : "pending";
}

/**
 * Starts (or restarts) an admin's enrolment: a new random secret replaces any pending one, so the
 * secret is shown exactly once (reloading the page makes a new one). Refused once enrolled.
 */
export async function beginEnrolment(
  db: DbOrTx,
  input: { userId: string; label: string },
  encryptionKey: string,
): Promise<SecondFactorResult<{ secret: string; url: string; qrSvg: string }>> {
  const secret = new Secret({ size: 20 });
  const secretCiphertext = encryptSecret(secret.base32, encryptionKey);
  const [row] = await db
    .insert(adminSecondFactors)
    .values({ userId: input.userId, secretCiphertext })
    .onConflictDoUpdate({
      target: adminSecondFactors.userId,
      set: { secretCiphertext, lastUsedStep: null, updatedAt: new Date() },
      setWhere: isNull(adminSecondFactors.confirmedAt),
    })
    .returning({ userId: adminSecondFactors.userId });
  if (!row) return { ok: false, reason: "already_enrolled" };
  const url = otpauthUrl(secret.base32, input.label);
  return { ok: true, secret: secret.base32, url, qrSvg: qrSvg(url) };
}

/** A recovery code as typed: case, spaces and dashes do not matter. */
function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, "").toLowerCase();
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

async function issueRecoveryCodes(db: DbOrTx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.userId, userId));
  await db.insert(adminRecoveryCodes).values(codes.map((c) => ({ id: randomUUID(), userId, codeHash: sha256Hex(normaliseRecoveryCode(c)) })));
  return codes;
}

/**
 * The time step a code belongs to, if it is valid for the secret now (within the window), else
 * null. Each candidate step is compared in constant time.
 */
function matchingStep(secretBase32: string, code: string, now: number): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpOf(Secret.fromBase32(secretBase32), "code");
  const current = Math.floor(now / 1000 / PERIOD);
  let found: number | null = null;
  for (let delta = -WINDOW; delta <= WINDOW; delta++) {
    const want = Buffer.from(totp.generate({ timestamp: (current + delta) * PERIOD * 1000 }));
    if (timingSafeEqual(want, Buffer.from(token))) found = current + delta;
  }
  return found;
}

/** Takes a TOTP time step for the factor: only if it is later than the last one taken (no replay). */
async function takeStep(db: DbOrTx, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(adminSecondFactors)
    .set({ lastUsedStep: step, updatedAt: new Date() })
    .where(and(eq(adminSecondFactors.userId, userId), or(isNull(adminSecondFactors.lastUsedStep), lt(adminSecondFactors.lastUsedStep, step))))
    .returning({ userId: adminSecondFactors.userId });
  return rows.length > 0;
}

async function emailOf(db: DbOrTx, userId: string): Promise<string | null> {
  const [u] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return u ? u.email.toLowerCase() : null;
}

/**
 * Confirms a pending enrolment with a code from the authenticator: the factor counts from now on,
 * and 10 recovery codes are issued (returned once). Audited in the same transaction.
 */
export async function confirmEnrolment(
  db: DbOrTx,
  input: { userId: string; code: string; ip: string },
  limits: LoginLimits,
  encryptionKey: string,
  now = Date.now(),
): Promise<SecondFactorResult<{ recoveryCodes: string[] }>> {
  const email = await emailOf(db, input.userId);
  if (!email) return { ok: false, reason: "not_enrolled" };
  const attempt = await reserveAttempt(db, email, input.ip, limits);
  if (attempt === null) return { ok: false, reason: "rate_limited" };
  const result = await db.transaction(async (tx): Promise<SecondFactorResult<{ recoveryCodes: string[] }>> => {
    const [row] = await tx.select().from(adminSecondFactors).where(eq(adminSecondFactors.userId, input.userId)).for("update");
    if (!row) return { ok: false, reason: "not_enrolled" };
    if (row.confirmedAt) return { ok: false, reason: "already_enrolled" };
    const step = matchingStep(decryptSecret(row.secretCiphertext, encryptionKey), input.code, now);
    if (step === null) return { ok: false, reason: "wrong_code" };
    await tx
      .update(adminSecondFactors)
      .set({ confirmedAt: new Date(), lastUsedStep: step, updatedAt: new Date() })
      .where(eq(adminSecondFactors.userId, input.userId));
    const recoveryCodes = await issueRecoveryCodes(tx, input.userId);
    await recordAudit(tx, {
      actor: input.userId,
      action: "admin.second_factor_enrolled",
      targetType: "user",
      targetId: input.userId,
      ip: input.ip,
      metadata: { method: "totp", recoveryCodes: recoveryCodes.length },
    });
    return { ok: true, recoveryCodes };
  });
  if (result.ok) await releaseAttempt(db, attempt);
  return result;
}

/**
 * Checks the second factor at sign-in: a 6-digit TOTP code (not replayed) or an unused recovery
 * code (then used up, audited with how many remain). Wrong codes count against the sign-in limiter.
 */
export async function verifySecondFactor(
  db: DbOrTx,
  input: { userId: string; code: string; ip: string },
  limits: LoginLimits,
  encryptionKey: string,
  now = Date.now(),
): Promise<SecondFactorResult<{ method: "totp" | "recovery_code"; recoveryCodesLeft?: number }>> {
  const email = await emailOf(db, input.userId);
  if (!email) return { ok: false, reason: "not_enrolled" };
  const [factor] = await db.select().from(adminSecondFactors).where(eq(adminSecondFactors.userId, input.userId));
  if (!factor?.confirmedAt) return { ok: false, reason: "not_enrolled" };
  const attempt = await reserveAttempt(db, email, input.ip, limits);
  if (attempt === null) return { ok: false, reason: "rate_limited" };

  const step = matchingStep(decryptSecret(factor.secretCiphertext, encryptionKey), input.code, now);
  if (step !== null) {
    if (!(await takeStep(db, input.userId, step))) return { ok: false, reason: "replayed" };
    await releaseAttempt(db, attempt);
    return { ok: true, method: "totp" };
  }

  const hash = sha256Hex(normaliseRecoveryCode(input.code));
  const used = await db.transaction(async (tx) => {
    const [code] = await tx
      .update(adminRecoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(adminRecoveryCodes.userId, input.userId), eq(adminRecoveryCodes.codeHash, hash), isNull(adminRecoveryCodes.usedAt)))
      .returning({ id: adminRecoveryCodes.id });
    if (!code) return null;
    const [counted] = await tx
      .select({ left: sql<number>`count(*)::int` })
      .from(adminRecoveryCodes)
      .where(and(eq(adminRecoveryCodes.userId, input.userId), isNull(adminRecoveryCodes.usedAt)));
    await recordAudit(tx, {
      actor: input.userId,
      action: "admin.recovery_code_used",
      targetType: "user",
      targetId: input.userId,
      ip: input.ip,
      metadata: { recoveryCodesLeft: counted?.left ?? 0 },
    });
    return counted?.left ?? 0;
  });
  if (used === null) return { ok: false, reason: "wrong_code" };
  await releaseAttempt(db, attempt);
  return { ok: true, method: "recovery_code", recoveryCodesLeft: used };
}

/** Replaces an enrolled admin's recovery codes (the old ones stop working); the new ones are returned once. */
export async function regenerateRecoveryCodes(db: DbOrTx, input: { userId: string; ip: string }): Promise<SecondFactorResult<{ recoveryCodes: string[] }>> {
  return db.transaction(async (tx) => {
    const [factor] = await tx
      .select({ confirmedAt: adminSecondFactors.confirmedAt })
      .from(adminSecondFactors)
      .where(eq(adminSecondFactors.userId, input.userId))
      .for("update");
    if (!factor?.confirmedAt) return { ok: false, reason: "not_enrolled" } as const;
    const recoveryCodes = await issueRecoveryCodes(tx, input.userId);
    await recordAudit(tx, { actor: input.userId, action: "admin.recovery_codes_regenerated", targetType: "user", targetId: input.userId, ip: input.ip });
    return { ok: true, recoveryCodes } as const;
  });
}

/** Recovery codes not yet used. */
export async function recoveryCodesLeft(db: DbOrTx, userId: string): Promise<number> {
  const [counted] = await db
    .select({ left: sql<number>`count(*)::int` })
    .from(adminRecoveryCodes)
    .where(and(eq(adminRecoveryCodes.userId, userId), isNull(adminRecoveryCodes.usedAt)));
  return counted?.left ?? 0;
}

/**
 * Removes an admin's second factor (a lost phone: the admin themself, or another admin for
 * them) with a reason: the factor and recovery codes are deleted and every session of that admin
 * ends (session version + 1), so the next sign-in enrols again. Audited in the same transaction.
 */
export async function resetSecondFactor(db: DbOrTx, input: { userId: string; actor: string; ip: string; reason: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const deleted = await tx
      .delete(adminSecondFactors)
      .where(eq(adminSecondFactors.userId, input.userId))
      .returning({ confirmedAt: adminSecondFactors.confirmedAt });
    if (deleted.length === 0) return false;
    await tx.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.userId, input.userId));
    await tx
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date(), updatedBy: input.actor })
      .where(eq(users.id, input.userId));
    await recordAudit(tx, {
      actor: input.actor,
      action: "admin.second_factor_reset",
      targetType: "user",
      targetId: input.userId,
      ip: input.ip,
      reason: input.reason,
      before: { enrolled: deleted[0]?.confirmedAt !== null },
      after: { enrolled: false },
    });
    return true;
  });
}

/**
 * What marks a session as past the second factor: an HMAC of user and session version under
 * AUTH_SECRET, made server-side after a valid code and checked when the token is updated; a
 * client updating its own session cannot produce it.
 */
export function secondFactorProof(secret: string, userId: string, sessionVersion: number): string {
  return createHmac("sha256", secret).update(`second-factor:${userId}:${sessionVersion}`).digest("base64url");
}

export function checkSecondFactorProof(secret: string, userId: string, sessionVersion: number, proof: unknown): boolean {
  if (typeof proof !== "string") return false;
  const want = Buffer.from(secondFactorProof(secret, userId, sessionVersion));
  const got = Buffer.from(proof);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Every platform admin and whether their authenticator is set up (the security page's list). */
export async function listAdminFactors(db: DbOrTx): Promise<Array<{ userId: string; name: string; email: string; enrolledAt: Date | null }>> {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, enrolledAt: adminSecondFactors.confirmedAt })
    .from(users)
    .leftJoin(adminSecondFactors, eq(adminSecondFactors.userId, users.id))
    .where(eq(users.platformRole, "admin"))
    .orderBy(users.email);
}
