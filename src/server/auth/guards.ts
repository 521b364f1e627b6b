import { redirect } from "next/navigation";
import { getSessionUser } from "./index";
import type { SessionUser } from "./session-user";

/** For pages: the signed-in user, or a redirect to the login page that comes back here. */
export async function requireUser(returnTo: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return user;
}

/**
 * Where a signed-in user belongs: a platform admin's admin dashboard once past the second factor
 * (else its code, or enrolment first), a partner member's dashboard.
 */
export function homePathOf(user: SessionUser): string {
  if (user.adminFactor === "verify") return "/login/verify";
  if (user.adminFactor === "enrol") return "/admin/security";
  return user.isAdmin ? "/admin" : "/dashboard";
}
