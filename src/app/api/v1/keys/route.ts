import { listApiKeys } from "@/server/keys";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { serializeKey } from "@/server/rest/present";

export const runtime = "nodejs";

/** The partner's API keys of this environment, prefixes only — never secrets. */
export const GET = partnerRoute({}, async ({ db, partnerId, environment }) => ({
  data: (await listApiKeys(db, partnerId, environment)).map(serializeKey),
}));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
