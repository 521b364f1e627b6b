import { json, otherMethods, partnerRoute } from "@/server/rest/handler";
import { endpointIdParams } from "@/server/rest/schemas/webhooks";
import { rotateSecret } from "@/server/webhooks";

export const runtime = "nodejs";

/** A new signing secret, shown once; the previous one keeps signing for 24 h. */
export const POST = partnerRoute({ params: endpointIdParams }, async ({ db, partnerId, environment, params }) => {
  const { endpoint, secret } = await rotateSecret(db, { partnerId, environment }, params.id);
  return json({ ...endpoint, secret }, 201);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
