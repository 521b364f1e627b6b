import { TRPCError } from "@trpc/server";
import { loadSessionUser } from "@/server/auth/session-user";
import type { Services } from "@/server/boot/services";
import type { Db } from "@/server/db/client";
import { createCaller } from "@/server/trpc/root";

/**
 * The session user of a signed-in user, as the HTTP route loads it, for a session that passed the
 * admin second factor (a platform admin is an admin); `secondFactor: false` is an admin who
 * signed in with the password only.
 */
export function sessionUserOf(db: Db, userId: string, options: { workspace?: string; secondFactor?: boolean } = {}) {
  return loadSessionUser(db, userId, undefined, options.workspace, options.secondFactor ?? true);
}

/**
 * The tRPC caller of a signed-in user, as the HTTP route builds it: the session user loaded from
 * the database on every call (a suspended user or partner gets nothing), in the workspace asked
 * for; admins as having passed the second factor unless `secondFactor: false`. `null` is a
 * visitor with no session.
 */
export async function sessionCaller(db: Db, userId: string | null, options: { workspace?: string; services?: Services; secondFactor?: boolean } = {}) {
  const user = userId ? await sessionUserOf(db, userId, options) : null;
  return createCaller({ services: options.services, db: options.services?.db ?? db, user, headers: new Headers() });
}

/** "OK", or the tRPC error code a call ends with (anything else as its message, so a test shows it). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (e) {
    return e instanceof TRPCError ? e.code : String(e);
  }
}
