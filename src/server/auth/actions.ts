"use server";

import { eq } from "drizzle-orm";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthError, CredentialsSignin } from "next-auth";
import { clientIpFrom } from "@/lib/client-ip";
import { env } from "@/lib/env";
import { getDb } from "@/server/db/client";
import { users } from "@/server/db/schema";
import { getSessionUser, loginErrorMessages, loginLimits, markSecondFactorPassed, signIn, signOut } from "./index";
import { beginEnrolment, confirmEnrolment, regenerateRecoveryCodes, resetSecondFactor, secondFactorMessages, verifySecondFactor } from "./totp";

export interface LoginState {
  error?: string;
}

function safeNext(next: FormDataEntryValue | null): string {
  const value = typeof next === "string" ? next : "";
  // Only same-site paths: never an open redirect.
  // Without a destination, /login sends a signed-in user to the home of their role.
  return value.startsWith("/") && !value.startsWith("//") ? value : "/login";
}

function adminAware(next: string): string {
  return next.startsWith("/admin") ? `/login/verify?next=${encodeURIComponent(next)}` : next;
}

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  try {
    await signIn("credentials", {
      email: form.get("email"),
      password: form.get("password"),
      // The admin area asks for the second factor first: straight there, keeping the page asked for.
      redirectTo: adminAware(safeNext(form.get("next"))),
    });
    return {};
  } catch (error) {
    if (error instanceof CredentialsSignin) {
      return { error: loginErrorMessages[error.code] ?? loginErrorMessages.invalid_credentials };
    }
    if (error instanceof AuthError) return { error: "Sign-in failed. Please try again." };
    throw error; // the redirect after a successful sign-in
  }
}

export async function logoutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}

/* The admin second factor (src/server/auth/totp.ts): every action re-reads the session user. */

export interface SecondFactorState {
  error?: string;
}

async function requestIp(): Promise<string> {
  return clientIpFrom(await headers());
}

/** Sign-in, second step: the code (or a recovery code) of an enrolled admin; then on to `next`. */
export async function verifySecondFactorAction(_prev: SecondFactorState, form: FormData): Promise<SecondFactorState> {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  if (user.adminFactor !== "verify") redirect(user.adminFactor === "enrol" ? "/admin/security" : "/admin");
  const code = String(form.get("code") ?? "").trim();
  if (!code) return { error: "Enter the code your authenticator shows, or a recovery code." };
  const result = await verifySecondFactor(getDb(), { userId: user.id, code: code.slice(0, 40), ip: await requestIp() }, loginLimits(), env().ENCRYPTION_KEY);
  if (!result.ok) return { error: secondFactorMessages[result.reason] };
  await markSecondFactorPassed(user.id);
  const next = safeNext(form.get("next"));
  redirect(next.startsWith("/admin") ? next : "/admin");
}

export type EnrolmentStart = { ok: true; secret: string; qrSvg: string; url: string } | { ok: false; error: string };

/** Enrolment, first step: a new secret, returned once to the page that shows it (QR + text). */
export async function startEnrolmentAction(): Promise<EnrolmentStart> {
  const user = await getSessionUser();
  if (user?.adminFactor !== "enrol") return { ok: false, error: "Only a platform administrator without an authenticator can set one up." };
  const result = await beginEnrolment(getDb(), { userId: user.id, label: user.email }, env().ENCRYPTION_KEY);
  if (!result.ok) return { ok: false, error: secondFactorMessages[result.reason] };
  return { ok: true, secret: result.secret, qrSvg: result.qrSvg, url: result.url };
}

export type CodesResult = { ok: true; recoveryCodes: string[] } | { ok: false; error: string };

/** Enrolment, second step: a code proves the authenticator; the session passes and the recovery codes come back once. */
export async function confirmEnrolmentAction(code: string): Promise<CodesResult> {
  const user = await getSessionUser();
  if (user?.adminFactor !== "enrol") return { ok: false, error: "Only a platform administrator without an authenticator can set one up." };
  const result = await confirmEnrolment(
    getDb(),
    { userId: user.id, code: String(code).trim().slice(0, 40), ip: await requestIp() },
    loginLimits(),
    env().ENCRYPTION_KEY,
  );
  if (!result.ok) return { ok: false, error: secondFactorMessages[result.reason] };
  await markSecondFactorPassed(user.id);
  return { ok: true, recoveryCodes: result.recoveryCodes };
}

/** New recovery codes for the signed-in admin (the old ones stop working). */
export async function regenerateRecoveryCodesAction(): Promise<CodesResult> {
  const user = await getSessionUser();
  if (!user?.isAdmin) return { ok: false, error: "Administrators only." };
  const result = await regenerateRecoveryCodes(getDb(), { userId: user.id, ip: await requestIp() });
  if (!result.ok) return { ok: false, error: secondFactorMessages[result.reason] };
  return { ok: true, recoveryCodes: result.recoveryCodes };
}

/**
 * Removes an admin's authenticator (their own, or a colleague's who lost it) with a reason: that
 * admin's sessions end and their next sign-in enrols again. Resetting one's own signs out here.
 */
export async function resetSecondFactorAction(input: { userId: string; reason: string }): Promise<{ ok: boolean; error?: string }> {
  const user = await getSessionUser();
  if (!user?.isAdmin) return { ok: false, error: "Administrators only." };
  const reason = String(input.reason ?? "").trim();
  if (reason.length < 3) return { ok: false, error: "Say why the authenticator is being reset (at least 3 characters)." };
  const db = getDb();
  const [target] = await db
    .select({ role: users.platformRole })
    .from(users)
    .where(eq(users.id, String(input.userId)));
  if (target?.role !== "admin") return { ok: false, error: "No such administrator." };
  const done = await resetSecondFactor(db, { userId: String(input.userId), actor: user.id, ip: await requestIp(), reason: reason.slice(0, 500) });
  if (!done) return { ok: false, error: "That administrator has no authenticator to reset." };
  if (input.userId === user.id) await signOut({ redirectTo: "/login" });
  return { ok: true };
}
