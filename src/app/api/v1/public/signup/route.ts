import { SIGNUP_IP_RATE, signUpPartner, SignupError } from "@/server/partners/signup";
import { signUp } from "@/server/rest/contracts/account";
import { ApiError } from "@/server/rest/errors";
import { otherMethods, publicRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/** Self-service signup: 5 per IP, one more every 12 minutes. */
export const POST = publicRoute(signUp, { ipRate: SIGNUP_IP_RATE }, async ({ db, body }) => {
  try {
    const r = await signUpPartner(db, body);
    return {
      partner: { id: r.partner.id, companyName: r.partner.businessName, country: r.partner.country, environment: "sandbox" as const },
      apiKey: r.apiKey,
      sandboxBalance: r.sandboxGrant,
    };
  } catch (e) {
    if (e instanceof SignupError) throw new ApiError(409, "conflict_error", e.code, e.message, "email");
    throw e;
  }
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
