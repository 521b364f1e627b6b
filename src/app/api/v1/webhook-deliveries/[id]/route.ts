import { getWebhookDelivery } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { getDelivery } from "@/server/webhooks";

export const runtime = "nodejs";

export const GET = partnerRoute(getWebhookDelivery, ({ db, partnerId, environment, params }) => getDelivery(db, { partnerId, environment }, params.id));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
