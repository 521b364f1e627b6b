import { SIGNUP_IP_RATE, signUpPartner, SignupError } from "@/server/partners/signup";
import { ApiError } from "@/server/rest/errors";
import { json, otherMethods, publicRoute } from "@/server/rest/handler";
import { signupBody } from "@/server/rest/schemas/account";

export const runtime = "nodejs";

/** Self-service signup: 5 per IP, one more every 12 minutes. */
export const POST = publicRoute(
  { body: signupBody, ipRate: SIGNUP_IP_RATE },
  async ({ db, body }) => {
    try {
      const r = await signUpPartner(db, body);
      return json(
        {
          partner: { id: r.partner.id, companyName: r.partner.businessName, country: r.partner.country, environment: "sandbox" },
          apiKey: r.apiKey,
          sandboxBalance: r.sandboxGrant,
        },
        201,
      );
    } catch (e) {
      if (e instanceof SignupError) throw new ApiError(409, "conflict_error", e.code, e.message, "email");
      throw e;
    }
  },
);

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
