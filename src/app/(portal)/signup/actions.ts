"use server";

import { headers } from "next/headers";
import { clientIpFrom } from "@/lib/client-ip";
import { signIn } from "@/server/auth";
import { getDb } from "@/server/db/client";
import { submitSignup, type SignupState } from "./submit";

/** The signup form's action: signs the new owner up (see submitSignup), then in. */
export async function signupAction(_prev: SignupState, form: FormData): Promise<SignupState> {
  const { state, credentials } = await submitSignup(getDb(), clientIpFrom(new Headers(await headers())), form);
  if (!state.done || !credentials) return state;
  try {
    await signIn("credentials", { ...credentials, redirect: false });
    return { done: { ...state.done, signedIn: true } };
  } catch {
    return state; // the account exists: the page offers the sign-in form instead
  }
}
