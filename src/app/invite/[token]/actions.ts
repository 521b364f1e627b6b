"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { DomainError } from "@/lib/errors";
import { acceptNewInput } from "@/lib/schemas/team-settings";
import { getSessionUser, signIn } from "@/server/auth";
import { WORKSPACE_COOKIE } from "@/server/auth/session-user";
import { getDb } from "@/server/db/client";
import { acceptInvitation } from "@/server/team/invitations";

export interface AcceptState {
  error?: string;
  fieldErrors?: Partial<Record<"name" | "password", string>>;
}

async function openWorkspace(partnerId: string) {
  (await cookies()).set(WORKSPACE_COOKIE, partnerId, { path: "/", maxAge: 60 * 60 * 24 * 365, sameSite: "lax", httpOnly: true });
}

function stateOf(error: unknown): AcceptState {
  if (error instanceof DomainError) {
    return error.param === "name" || error.param === "password" ? { fieldErrors: { [error.param]: error.message } } : { error: error.message };
  }
  throw error;
}

/** A signed-in user accepts an invitation addressed to them: a membership is added to their account. */
export async function acceptAsSignedIn(token: string, _prev: AcceptState): Promise<AcceptState> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(`/invite/${token}`)}`);
  let partnerId: string;
  try {
    ({ partnerId } = await acceptInvitation(getDb(), { token, userId: user.id }));
  } catch (error) {
    return stateOf(error);
  }
  await openWorkspace(partnerId);
  redirect("/dashboard");
}

/** A new person accepts: their account is created with the invited address, then they are signed in. */
export async function acceptAsNew(token: string, _prev: AcceptState, form: FormData): Promise<AcceptState> {
  const parsed = acceptNewInput.safeParse({ name: form.get("name"), password: form.get("password") });
  if (!parsed.success) {
    const f = parsed.error.flatten().fieldErrors;
    return { fieldErrors: { name: f.name?.[0], password: f.password?.[0] } };
  }
  let accepted: { email: string; partnerId: string };
  try {
    accepted = await acceptInvitation(getDb(), { token, ...parsed.data });
  } catch (error) {
    return stateOf(error);
  }
  await openWorkspace(accepted.partnerId);
  // Throws the redirect to the dashboard once signed in.
  await signIn("credentials", { email: accepted.email, password: parsed.data.password, redirectTo: "/dashboard" });
  return {};
}
