import { json, otherMethods, partnerRoute } from "@/server/rest/handler";
import { endpointIdParams } from "@/server/rest/schemas/webhooks";
import { sendTestEvent } from "@/server/webhooks";

export const runtime = "nodejs";

/** Queues a `webhook.test` event for this endpoint only. */
export const POST = partnerRoute({ params: endpointIdParams }, async ({ db, partnerId, environment, params }) =>
  json(await sendTestEvent(db, { partnerId, environment }, params.id), 202),
);

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
