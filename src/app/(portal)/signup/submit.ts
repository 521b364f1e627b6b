import { signupBody, signupFieldErrors, type SignupField } from "@/lib/schemas/signup";
import type { Db } from "@/server/db/client";
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
 * The signup page's submit, before signing in: the same per-IP limit, schema and domain signup
 * as `POST /api/v1/public/signup`. Refusals come back per field and create nothing.
 */
export async function submitSignup(db: Db, ip: string, form: FormData): Promise<{ state: SignupState; credentials?: { email: string; password: string } }> {
  const raw: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = form.get(f);
    if (typeof v === "string") raw[f] = v;
  }
  const values = { companyName: raw.companyName, contactName: raw.contactName, email: raw.email, country: raw.country };

  // Every attempt takes a token, as on the API (whose guard runs before the body is read).
  const limit = await takeToken(db, `${SIGNUP_IP_RATE.bucket}:${ip}`, SIGNUP_IP_RATE.rule());
  if (!limit.allowed) {
    const minutes = Math.max(1, Math.ceil(limit.retryAfterSeconds / 60));
    return { state: { values, formError: `Too many signups from your address. Please try again in ${minutes} minute${minutes > 1 ? "s" : ""}.` } };
  }

  const parsed = signupBody.safeParse(raw);
  if (!parsed.success) return { state: { values, fieldErrors: signupFieldErrors(raw) } };

  try {
    const r = await signUpPartner(db, parsed.data);
    return {
      state: {
        done: {
          companyName: r.partner.businessName,
          apiKey: r.apiKey,
          sandboxBalance: { amount: r.sandboxGrant.amount, currency: r.sandboxGrant.currency },
          signedIn: false,
        },
      },
      credentials: { email: parsed.data.email, password: parsed.data.password },
    };
  } catch (e) {
    if (e instanceof SignupError) return { state: { values, fieldErrors: { email: "An account with this work email already exists. Sign in instead." } } };
    console.error("[signup] failed:", e instanceof Error ? `${e.name}: ${e.message}` : e);
    return { state: { values, formError: "We could not create your account just now. Please try again." } };
  }
}
