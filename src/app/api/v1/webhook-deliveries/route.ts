import { listWebhookDeliveries } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { listDeliveries } from "@/server/webhooks";

export const runtime = "nodejs";

export const GET = partnerRoute(listWebhookDeliveries, ({ db, partnerId, environment, query }) => listDeliveries(db, { partnerId, environment }, query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
