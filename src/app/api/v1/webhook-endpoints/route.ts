import { json, otherMethods, partnerRoute } from "@/server/rest/handler";
import { createEndpointBody } from "@/server/rest/schemas/webhooks";
import { createEndpoint, listEndpoints } from "@/server/webhooks";

export const runtime = "nodejs";

/** Creates an endpoint in the key's environment; the signing secret is in this answer only. */
export const POST = partnerRoute({ body: createEndpointBody }, async ({ db, partnerId, environment, key, body }) => {
  const { endpoint, secret } = await createEndpoint(db, {
    partnerId,
    environment,
    url: body.url,
    events: body.events,
    enabled: body.enabled,
    actor: key.id,
  });
  return json({ ...endpoint, secret }, 201);
});

export const GET = partnerRoute({}, async ({ db, partnerId, environment }) => ({ data: await listEndpoints(db, { partnerId, environment }) }));

export const { PUT, PATCH, DELETE } = otherMethods(["GET", "POST"]);
