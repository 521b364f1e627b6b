"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { getSessionUser } from "@/server/auth";
import { WORKSPACE_COOKIE } from "@/server/auth/session-user";

/**
 * Makes one of the signed-in user's workspaces the active one. Only a partner the user is a member
 * of is remembered; every request checks the cookie against the memberships again, so a removed
 * member falls back to another workspace (or is refused) at once.
 */
export async function switchWorkspace(partnerId: string): Promise<{ ok: boolean }> {
  const id = z.string().min(1).max(64).parse(partnerId);
  const user = await getSessionUser();
  if (!user?.memberships.some((m) => m.partnerId === id)) return { ok: false };
  (await cookies()).set(WORKSPACE_COOKIE, id, { path: "/", maxAge: 60 * 60 * 24 * 365, sameSite: "lax", httpOnly: true });
  return { ok: true };
}
