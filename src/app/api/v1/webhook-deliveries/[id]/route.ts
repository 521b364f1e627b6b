import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { deliveryIdParams } from "@/server/rest/schemas/webhooks";
import { getDelivery } from "@/server/webhooks";

export const runtime = "nodejs";

export const GET = partnerRoute({ params: deliveryIdParams }, ({ db, partnerId, environment, params }) =>
  getDelivery(db, { partnerId, environment }, params.id),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
