import { rotateWebhookSecret } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { rotateSecret } from "@/server/webhooks";

export const runtime = "nodejs";

/** A new signing secret, shown once; the previous one keeps signing for 24 h. */
export const POST = partnerRoute(rotateWebhookSecret, async ({ services, db, partnerId, environment, params }) => {
  const { endpoint, secret } = await rotateSecret(db, { partnerId, environment }, params.id, services.webhooks);
  return { ...endpoint, secret };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
