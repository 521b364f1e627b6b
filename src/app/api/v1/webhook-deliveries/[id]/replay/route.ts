import { replayWebhookDelivery } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { replayDelivery } from "@/server/webhooks";

export const runtime = "nodejs";

/** Re-sends the delivery's event (same webhook-id) as a new delivery. */
export const POST = partnerRoute(replayWebhookDelivery, ({ db, partnerId, environment, params }) => replayDelivery(db, { partnerId, environment }, params.id));

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
