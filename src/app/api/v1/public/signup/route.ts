import { SIGNUP_IP_RATE, signUpPartner } from "@/server/partners/signup";
import { signUp } from "@/server/rest/contracts/account";
import { otherMethods, publicRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/** Self-service signup: 5 per IP, one more every 12 minutes. */
export const POST = publicRoute(signUp, { ipRate: SIGNUP_IP_RATE }, async ({ db, body }) => {
  const r = await signUpPartner(db, body); // a taken email: SignupError, email_taken (409) on param email
  return {
    partner: { id: r.partner.id, companyName: r.partner.businessName, country: r.partner.country, environment: "sandbox" as const },
    apiKey: r.apiKey,
    sandboxBalance: r.sandboxGrant,
  };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
