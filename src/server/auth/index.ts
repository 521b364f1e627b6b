import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { env } from "@/lib/env";
import { getDb } from "@/server/db/client";
import { attemptLogin } from "./login";
import { cookies } from "next/headers";
import { sessionUserFromToken, WORKSPACE_COOKIE, type SessionUser } from "./session-user";
import { checkSessionProof, endSessions, sessionProof } from "./sessions";
import { checkSecondFactorProof, secondFactorProof } from "./totp";
import { eq } from "drizzle-orm";
import { users } from "@/server/db/schema";
import type { LoginLimits } from "./login";

class LoginRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

const credentialsInput = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) });

const nextAuth = NextAuth(() => ({
  secret: env().AUTH_SECRET,
  trustHost: true,
  session: { strategy: "jwt", maxAge: 60 * 60 * 12 },
  pages: { signIn: "/login" },
  logger: {
    // Refused logins are expected traffic, not server errors; never log credentials.
    error: (error) => {
      if (error instanceof CredentialsSignin || error.name === "CredentialsSignin") return;
      console.error(`[auth] ${error.name}: ${error.message}`);
    },
    warn: () => {},
  },
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(raw, request) {
        const parsed = credentialsInput.safeParse(raw);
        if (!parsed.success) throw new LoginRefused("invalid_credentials");
        const result = await attemptLogin(getDb(), { ...parsed.data, ip: clientIpFrom(request.headers) }, loginLimits());
        if (!result.ok) throw new LoginRefused(result.reason);
        return { id: result.userId, sessionVersion: result.sessionVersion } as { id: string };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user, trigger, session }) {
      if (user?.id) {
        token.sub = user.id;
        token.sv = (user as { sessionVersion?: number }).sessionVersion;
        // A new sign-in has not passed the second factor yet.
        delete token.tf;
      }
      // After a password change, this session moves to the new version; only the server can
      // ask for that (a proof under AUTH_SECRET), never a client updating its own session.
      if (trigger === "update" && token.sub && session && typeof session === "object") {
        const { sv, proof } = session as { sv?: unknown; proof?: unknown };
        if (typeof sv === "number" && checkSessionProof(env().AUTH_SECRET, token.sub, sv, proof)) token.sv = sv;
        // An admin's valid code: only the server can make the proof (markSecondFactorPassed).
        const { tf } = session as { tf?: unknown };
        if (typeof token.sv === "number" && checkSecondFactorProof(env().AUTH_SECRET, token.sub, token.sv, tf)) token.tf = true;
      }
      return token;
    },
    session({ session, token }) {
      // Only the id and session version travel in the token; who the user is comes from the database per request.
      return { ...session, user: { id: token.sub ?? "", sv: token.sv, tf: token.tf === true } as unknown as typeof session.user };
    },
  },
  events: {
    // Signing out ends the user's other sessions too (their version no longer matches).
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (token?.sub && typeof token.sv === "number") await endSessions(getDb(), token.sub, token.sv);
    },
  },
}));
export const { handlers, signIn, signOut } = nextAuth;
const { auth, unstable_update } = nextAuth;

/**
 * The signed-in user, re-read from the database (session version included), or null; the active
 * workspace is the one the `steller_workspace` cookie names if the user is still a member of it.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await auth();
  if (!session?.user) return null;
  const workspace = (await cookies()).get(WORKSPACE_COOKIE)?.value ?? null;
  return sessionUserFromToken(getDb(), session.user as { id?: unknown; sv?: unknown; tf?: unknown }, workspace);
}

/** The sign-in limiter's settings (passwords and second-factor codes count against it). */
export function loginLimits(): LoginLimits {
  const e = env();
  return { maxFailuresPerEmail: e.LOGIN_MAX_FAILURES_PER_EMAIL, maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP, windowMinutes: e.LOGIN_WINDOW_MINUTES };
}

/** Marks the current request's session as past the second factor (after a valid code, server-side only). */
export async function markSecondFactorPassed(userId: string): Promise<void> {
  const [row] = await getDb().select({ sv: users.sessionVersion }).from(users).where(eq(users.id, userId));
  if (!row) return;
  await unstable_update({ tf: secondFactorProof(env().AUTH_SECRET, userId, row.sv) } as never);
}

/** Moves the current request's session token to `sessionVersion` (after a password change). */
export async function moveSessionTo(userId: string, sessionVersion: number): Promise<void> {
  await unstable_update({ sv: sessionVersion, proof: sessionProof(env().AUTH_SECRET, userId, sessionVersion) } as never);
}

export const loginErrorMessages: Record<string, string> = {
  invalid_credentials: "That email and password don't match an active account.",
  suspended: "This account is suspended. Contact your administrator.",
  rate_limited: "Too many failed sign-in attempts. Please wait a few minutes before trying again.",
};
