import { TRPCError } from "@trpc/server";
import { loadSessionUser } from "@/server/auth/session-user";
import type { Db } from "@/server/db/client";
import { appRouter, createCaller } from "@/server/trpc/root";
import { makePartner, makeUser } from "../../support/factories";

/** Every tRPC procedure by path (`admin.partners`), read from the router, so new ones are covered too. */
export function procedurePaths(): string[] {
  return Object.keys((appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures).sort();
}

export type Caller = ReturnType<typeof createCaller>;

/** Calls a procedure by path; resolves to "OK" or the TRPCError code (anything else is rethrown as a string). */
export async function callByPath(caller: Caller, path: string, input?: unknown): Promise<string> {
  let fn: unknown = caller;
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  try {
    await (fn as (i: unknown) => Promise<unknown>)(input);
    return "OK";
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    return `NOT_A_TRPC_ERROR: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

export interface Contexts {
  anonymous: Caller;
  admin: Caller;
  owner: Caller;
  developer: Caller;
  finance: Caller;
  otherOwner: Caller;
  partnerId: string;
  otherPartnerId: string;
}

/** Callers for each kind of user: signed out, platform admin, and the roles of two partners. */
export async function makeContexts(db: Db): Promise<Contexts> {
  const partnerId = await makePartner(db, "tRPC A");
  const otherPartnerId = await makePartner(db, "tRPC B");
  const as = async (u: { id: string } | null) => createCaller({ db, user: u ? await loadSessionUser(db, u.id) : null, headers: new Headers() });
  return {
    anonymous: await as(null),
    admin: await as(await makeUser(db, { admin: true })),
    owner: await as(await makeUser(db, { partnerId, role: "owner" })),
    developer: await as(await makeUser(db, { partnerId, role: "developer" })),
    finance: await as(await makeUser(db, { partnerId, role: "finance" })),
    otherOwner: await as(await makeUser(db, { partnerId: otherPartnerId, role: "owner" })),
    partnerId,
    otherPartnerId,
  };
}
