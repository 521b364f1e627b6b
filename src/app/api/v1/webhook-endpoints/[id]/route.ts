import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { endpointIdParams, updateEndpointBody } from "@/server/rest/schemas/webhooks";
import { deleteEndpoint, getEndpoint, updateEndpoint } from "@/server/webhooks";

export const runtime = "nodejs";

export const GET = partnerRoute({ params: endpointIdParams }, ({ db, partnerId, environment, params }) =>
  getEndpoint(db, { partnerId, environment }, params.id),
);

export const PATCH = partnerRoute({ params: endpointIdParams, body: updateEndpointBody }, ({ db, partnerId, environment, params, body }) =>
  updateEndpoint(db, { partnerId, environment }, params.id, body),
);

export const DELETE = partnerRoute({ params: endpointIdParams }, ({ db, partnerId, environment, params }) =>
  deleteEndpoint(db, { partnerId, environment }, params.id),
);

export const { POST, PUT } = otherMethods(["GET", "PATCH", "DELETE"]);
