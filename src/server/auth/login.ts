import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { loginAttempts, memberships, partners, users } from "@/server/db/schema";
import { hashPassword, needsRehash, verifyPassword } from "./password";

export interface LoginLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
  windowMinutes: number;
}

export type LoginResult =
  | { ok: true; userId: string; sessionVersion: number }
  | { ok: false; reason: "invalid_credentials" | "rate_limited" | "suspended"; retryAfterMinutes?: number };

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** True for a user who is not a platform admin, has memberships, and all of their partners are suspended. */
async function onlySuspendedPartners(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({
      admin: sql<boolean>`bool_or(${users.platformRole} is not null)`,
      members: sql<number>`count(${memberships.id})::int`,
      active: sql<number>`count(*) filter (where ${partners.status} = 'active')::int`,
    })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(partners, eq(partners.id, memberships.partnerId))
    .where(eq(users.id, userId));
  return Boolean(row && !row.admin && row.members > 0 && row.active === 0);
}

/** A 64-bit advisory-lock key for one limiter bucket. */
function lockKey(bucket: string): bigint {
  return createHash("sha256").update(`login:${bucket}`).digest().readBigInt64BE(0);
}

/**
 * Reserves one attempt against both buckets (email and IP), atomically: under a transaction-level
 * advisory lock per bucket (taken in key order, so two sign-ins never deadlock), failures in the
 * window are counted and, when both are under their limit, the attempt is written as a failure
 * before the password is checked. Concurrent attempts for one email queue on its lock and each
 * sees the ones before it, so a burst of N wrong passwords lets at most the limit reach the
 * password check. Returns the reserved attempt's id, or null when a bucket is full.
 */
export async function reserveAttempt(db: DbOrTx, email: string, ip: string, limits: LoginLimits): Promise<number | null> {
  const keys = [lockKey(`email:${email}`), lockKey(`ip:${ip}`)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return db.transaction(async (tx) => {
    for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(${key.toString()}::bigint)`);
    const since = sql`now() - make_interval(mins => ${limits.windowMinutes})`;
    const [row] = await tx.execute<{ id: number }>(sql`
      insert into ${loginAttempts} (email, ip, succeeded)
      select ${email}, ${ip}, false
      where (select count(*) from ${loginAttempts} where email = ${email} and not succeeded and at > ${since}) < ${limits.maxFailuresPerEmail}
        and (select count(*) from ${loginAttempts} where ip = ${ip} and not succeeded and at > ${since}) < ${limits.maxFailuresPerIp}
      returning id`);
    return row ? Number(row.id) : null;
  });
}

/** Marks a reserved attempt as succeeded: it no longer counts as a failure. */
export async function releaseAttempt(db: DbOrTx, attemptId: number): Promise<void> {
  await db.update(loginAttempts).set({ succeeded: true }).where(eq(loginAttempts.id, attemptId));
}

/**
 * Checks email + password, counting failures per email and per IP in a sliding window:
 * over the limit, the attempt is refused before the password is even checked. A matching
 * legacy (bcrypt) or weaker hash is replaced with the current one.
 */
export async function attemptLogin(db: DbOrTx, input: { email: string; password: string; ip: string }, limits: LoginLimits): Promise<LoginResult> {
  const email = normaliseEmail(input.email);
  const attemptId = await reserveAttempt(db, email, input.ip, limits);
  if (attemptId === null) return { ok: false, reason: "rate_limited", retryAfterMinutes: limits.windowMinutes };

  const [user] = await db
    .select({ id: users.id, hash: users.passwordHash, status: users.status, sessionVersion: users.sessionVersion })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  const passwordOk = await verifyPassword(input.password, user?.hash);
  if (!passwordOk || !user) return { ok: false, reason: "invalid_credentials" };
  await releaseAttempt(db, attemptId);
  if (user.status !== "active") return { ok: false, reason: "suspended" };
  // A member whose every partner is suspended has nowhere to go: say so (not a silent loop back
  // to this form). Platform admins and members of another, active partner sign in as usual.
  if (await onlySuspendedPartners(db, user.id)) return { ok: false, reason: "suspended" };
  const set: Partial<typeof users.$inferInsert> = { lastLoginAt: new Date() };
  if (needsRehash(user.hash)) set.passwordHash = await hashPassword(input.password);
  // Only over the hash that matched: a password changed meanwhile is never overwritten.
  await db
    .update(users)
    .set(set)
    .where(and(eq(users.id, user.id), eq(users.passwordHash, user.hash)));
  return { ok: true, userId: user.id, sessionVersion: user.sessionVersion };
}
