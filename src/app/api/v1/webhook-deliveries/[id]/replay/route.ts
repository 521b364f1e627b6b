import { json, otherMethods, partnerRoute } from "@/server/rest/handler";
import { deliveryIdParams } from "@/server/rest/schemas/webhooks";
import { replayDelivery } from "@/server/webhooks";

export const runtime = "nodejs";

/** Re-sends the delivery's event (same webhook-id) as a new delivery. */
export const POST = partnerRoute({ params: deliveryIdParams }, async ({ db, partnerId, environment, params }) =>
  json(await replayDelivery(db, { partnerId, environment }, params.id), 202),
);

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
