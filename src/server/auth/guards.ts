import { redirect } from "next/navigation";
import { getSessionUser } from "./index";
import type { SessionUser } from "./session-user";

/** For pages: the signed-in user, or a redirect to the login page that comes back here. */
export async function requireUser(returnTo: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return user;
}
