"use server";

import { headers } from "next/headers";
import { clientIpFrom } from "@/lib/client-ip";
import { signupBody, signupFieldErrors, type SignupField } from "@/lib/schemas/signup";
import { signIn } from "@/server/auth";
import { getDb } from "@/server/db/client";
import { SIGNUP_IP_RATE, signUpPartner, SignupError } from "@/server/partners/signup";
import { takeToken } from "@/server/rest/rate-limit";

export interface SignupState {
  /** The values sent, to refill the form after a refusal (never the password). */
  values?: Partial<Record<Exclude<SignupField, "password">, string>>;
  fieldErrors?: Partial<Record<SignupField, string>>;
  formError?: string;
  done?: {
    companyName: string;
    apiKey: { id: string; start: string; secret: string };
    sandboxBalance: { amount: string; currency: string };
    signedIn: boolean;
  };
}

const FIELDS = ["companyName", "contactName", "email", "password", "country"] as const;

/**
 * The signup page's submit: the same schema, per-IP limit and domain signup as
 * `POST /api/v1/public/signup`, then signs the new owner in. Refusals come back per field.
 */
export async function signupAction(_prev: SignupState, form: FormData): Promise<SignupState> {
  const raw: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = form.get(f);
    if (typeof v === "string") raw[f] = v;
  }
  const values = { companyName: raw.companyName, contactName: raw.contactName, email: raw.email, country: raw.country };

  const db = getDb();
  const ip = clientIpFrom(new Headers(await headers()));
  // Every attempt takes a token, as on the API (whose guard runs before the body is read).
  const limit = await takeToken(db, `${SIGNUP_IP_RATE.bucket}:${ip}`, SIGNUP_IP_RATE.rule);
  if (!limit.allowed) {
    const minutes = Math.max(1, Math.ceil(limit.retryAfterSeconds / 60));
    return { values, formError: `Too many signups from your address. Please try again in ${minutes} minute${minutes > 1 ? "s" : ""}.` };
  }

  const parsed = signupBody.safeParse(raw);
  if (!parsed.success) return { values, fieldErrors: signupFieldErrors(raw) };

  let result;
  try {
    result = await signUpPartner(db, parsed.data);
  } catch (e) {
    if (e instanceof SignupError) return { values, fieldErrors: { email: "An account with this work email already exists. Sign in instead." } };
    console.error("[signup] failed:", e instanceof Error ? `${e.name}: ${e.message}` : e);
    return { values, formError: "We could not create your account just now. Please try again." };
  }

  let signedIn = true;
  try {
    await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirect: false });
  } catch {
    signedIn = false; // the account exists: the page offers the sign-in form instead
  }
  return {
    done: {
      companyName: result.partner.businessName,
      apiKey: result.apiKey,
      sandboxBalance: { amount: result.sandboxGrant.amount, currency: result.sandboxGrant.currency },
      signedIn,
    },
  };
}
