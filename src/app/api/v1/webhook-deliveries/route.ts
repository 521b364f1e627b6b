import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { listDeliveriesQuery } from "@/server/rest/schemas/webhooks";
import { listDeliveries } from "@/server/webhooks";

export const runtime = "nodejs";

export const GET = partnerRoute({ query: listDeliveriesQuery }, ({ db, partnerId, environment, query }) =>
  listDeliveries(db, { partnerId, environment }, query),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
