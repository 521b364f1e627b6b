import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { env } from "@/lib/env";
import { getDb } from "@/server/db/client";
import { attemptLogin } from "./login";
import { loadSessionUser, type SessionUser } from "./session-user";

class LoginRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

const credentialsInput = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) });

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
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
        const e = env();
        const result = await attemptLogin(
          getDb(),
          { ...parsed.data, ip: clientIpFrom(request.headers) },
          {
            maxFailuresPerEmail: e.LOGIN_MAX_FAILURES_PER_EMAIL,
            maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
            windowMinutes: e.LOGIN_WINDOW_MINUTES,
          },
        );
        if (!result.ok) throw new LoginRefused(result.reason);
        return { id: result.userId };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      // Only the id travels in the token; who the user is comes from the database per request.
      return { ...session, user: { id: token.sub ?? "" } as typeof session.user };
    },
  },
}));

/** The signed-in user, re-read from the database, or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  return loadSessionUser(getDb(), id);
}

export const loginErrorMessages: Record<string, string> = {
  invalid_credentials: "That email and password don't match an active account.",
  suspended: "This account is suspended. Contact your administrator.",
  rate_limited: "Too many failed sign-in attempts. Please wait a few minutes before trying again.",
};
