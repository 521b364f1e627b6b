"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { loginErrorMessages, signIn, signOut } from "./index";

export interface LoginState {
  error?: string;
}

function safeNext(next: FormDataEntryValue | null): string {
  const value = typeof next === "string" ? next : "";
  // Only same-site paths: never an open redirect.
  // Without a destination, /login sends a signed-in user to the home of their role.
  return value.startsWith("/") && !value.startsWith("//") ? value : "/login";
}

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  try {
    await signIn("credentials", {
      email: form.get("email"),
      password: form.get("password"),
      redirectTo: safeNext(form.get("next")),
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
