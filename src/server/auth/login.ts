import { and, count, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { loginAttempts, users } from "@/server/db/schema";
import { verifyPassword } from "./password";

export interface LoginLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
  windowMinutes: number;
}

export type LoginResult =
  | { ok: true; userId: string }
  | { ok: false; reason: "invalid_credentials" | "rate_limited" | "suspended"; retryAfterMinutes?: number };

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * Checks email + password, counting failures per email and per IP in a sliding window:
 * over the limit, the attempt is refused before the password is even checked.
 */
export async function attemptLogin(
  db: DbOrTx,
  input: { email: string; password: string; ip: string },
  limits: LoginLimits,
): Promise<LoginResult> {
  const email = normaliseEmail(input.email);
  const since = sql`now() - make_interval(mins => ${limits.windowMinutes})`;
  const failed = (col: "email" | "ip", value: string) =>
    db
      .select({ n: count() })
      .from(loginAttempts)
      .where(
        and(
          eq(col === "email" ? loginAttempts.email : loginAttempts.ip, value),
          eq(loginAttempts.succeeded, false),
          gt(loginAttempts.at, since),
        ),
      );
  const [[byEmail], [byIp]] = await Promise.all([failed("email", email), failed("ip", input.ip)]);
  if ((byEmail?.n ?? 0) >= limits.maxFailuresPerEmail || (byIp?.n ?? 0) >= limits.maxFailuresPerIp) {
    return { ok: false, reason: "rate_limited", retryAfterMinutes: limits.windowMinutes };
  }

  const [user] = await db
    .select({ id: users.id, hash: users.passwordHash, status: users.status })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  const passwordOk = await verifyPassword(input.password, user?.hash);
  const ok = Boolean(user) && passwordOk;
  await db.insert(loginAttempts).values({ email, ip: input.ip, succeeded: ok });
  if (!ok || !user) return { ok: false, reason: "invalid_credentials" };
  if (user.status !== "active") return { ok: false, reason: "suspended" };
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  return { ok: true, userId: user.id };
}
