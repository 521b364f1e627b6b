import { recoverWebhookDeliveries } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { recoverFailedDeliveries } from "@/server/webhooks";

export const runtime = "nodejs";

/** Re-sends every delivery to this endpoint that failed since `since`, once (idempotent). */
export const POST = partnerRoute(recoverWebhookDeliveries, async ({ db, partnerId, environment, params, body }) => {
  const { count, deliveryIds, hasMore } = await recoverFailedDeliveries(db, { partnerId, environment }, params.id, body.since);
  return { recovered: count, deliveryIds, hasMore };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
