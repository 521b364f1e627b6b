import { testWebhookEndpoint } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { sendTestEvent } from "@/server/webhooks";

export const runtime = "nodejs";

/** Queues a `webhook.test` event for this endpoint only. */
export const POST = partnerRoute(testWebhookEndpoint, ({ db, partnerId, environment, params }) => sendTestEvent(db, { partnerId, environment }, params.id));

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
