import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { users } from "@/server/db/schema";
import { recordMilestoneForUser } from "@/server/partners/activation";
import { checkVerifyToken, parseVerifyToken } from "./verification";

export type VerifyEmailResult = { status: "verified" | "already_verified"; email: string; verifiedAt: Date } | { status: "invalid" | "expired" };

/**
 * Follows a verification link: a token signed for this user's current address and not expired
 * sets `users.email_verified_at` (once; following it again says so). Anything else changes nothing.
 */
export async function verifyEmail(db: DbOrTx, secret: string, token: string, nowMs = Date.now()): Promise<VerifyEmailResult> {
  const parsed = parseVerifyToken(token);
  if (!parsed) return { status: "invalid" };
  const [user] = await db.select({ id: users.id, email: users.email, verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, parsed.userId));
  if (!user) return { status: "invalid" };
  const check = checkVerifyToken(secret, token, user.email, nowMs);
  if (check !== "ok") return { status: check };
  if (user.verifiedAt) return { status: "already_verified", email: user.email, verifiedAt: user.verifiedAt };
  const [row] = await db
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
    .where(eq(users.id, user.id))
    .returning({ verifiedAt: users.emailVerifiedAt });
  await recordMilestoneForUser(db, user.id, "email_verified");
  return { status: "verified", email: user.email, verifiedAt: row!.verifiedAt! };
}
