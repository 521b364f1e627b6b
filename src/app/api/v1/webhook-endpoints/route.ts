import { createWebhookEndpoint, listWebhookEndpoints } from "@/server/rest/contracts/webhooks";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { createEndpoint, listEndpoints } from "@/server/webhooks";

export const runtime = "nodejs";

/** Creates an endpoint in the key's environment; the signing secret is in this answer only. */
export const POST = partnerRoute(createWebhookEndpoint, async ({ services, db, partnerId, environment, key, body }) => {
  const { endpoint, secret } = await createEndpoint(
    db,
    {
      partnerId,
      environment,
      url: body.url,
      description: body.description,
      events: body.events,
      enabled: body.enabled,
      actor: key.id,
    },
    services.webhooks,
  );
  return { ...endpoint, secret };
});

export const GET = partnerRoute(listWebhookEndpoints, async ({ db, partnerId, environment }) => ({
  data: await listEndpoints(db, { partnerId, environment }),
}));

export const { PUT, PATCH, DELETE } = otherMethods(["GET", "POST"]);
