import { deleteWebhookEndpoint, getWebhookEndpoint, updateWebhookEndpoint } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { deleteEndpoint, getEndpoint, updateEndpoint } from "@/server/webhooks";

export const runtime = "nodejs";

export const GET = partnerRoute(getWebhookEndpoint, ({ db, partnerId, environment, params }) => getEndpoint(db, { partnerId, environment }, params.id));

export const PATCH = partnerRoute(updateWebhookEndpoint, ({ services, db, partnerId, environment, params, body }) =>
  updateEndpoint(db, { partnerId, environment }, params.id, body, services.webhooks),
);

export const DELETE = partnerRoute(deleteWebhookEndpoint, ({ db, partnerId, environment, params }) =>
  deleteEndpoint(db, { partnerId, environment }, params.id),
);

export const { POST, PUT } = otherMethods(["GET", "PATCH", "DELETE"]);
