import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Email verification tokens: `<userId>.<expires (unix s)>.<HMAC-SHA256>` under AUTH_SECRET, over
 * the user, the address and the expiry. Nothing is stored: changing the address or the secret
 * voids every token, and a changed part fails the MAC.
 */
const VERIFY_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

function mac(secret: string, userId: string, email: string, expires: number): string {
  return createHmac("sha256", secret).update(`email-verify\n${userId}\n${email.toLowerCase()}\n${expires}`).digest("base64url");
}

export function createVerifyToken(secret: string, userId: string, email: string, nowMs = Date.now(), ttlSeconds = VERIFY_TOKEN_TTL_SECONDS): string {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds;
  return `${userId}.${expires}.${mac(secret, userId, email, expires)}`;
}

/** The user id a token claims, before its MAC is checked against that user's address. */
export function parseVerifyToken(token: string): { userId: string; expires: number; sig: string } | null {
  const m = /^([A-Za-z0-9_]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { userId: m[1]!, expires: Number(m[2]), sig: m[3]! } : null;
}

export type VerifyCheck = "ok" | "invalid" | "expired";

export function checkVerifyToken(secret: string, token: string, email: string, nowMs = Date.now()): VerifyCheck {
  const t = parseVerifyToken(token);
  if (!t) return "invalid";
  const expected = Buffer.from(mac(secret, t.userId, email, t.expires));
  const given = Buffer.from(t.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "invalid";
  return t.expires * 1000 < nowMs ? "expired" : "ok";
}
