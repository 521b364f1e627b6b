import { getPartnerOrder } from "@/server/orders/queries";
import { getOrder } from "@/server/rest/contracts/orders";
import { notFound } from "@/server/rest/errors";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

export const GET = partnerRoute(getOrder, async ({ services, db, partnerId, environment, params }) => {
  const order = await getPartnerOrder(db, { partnerId, environment, orderId: params.id, encryptionKey: services.encryptionKey });
  if (!order) throw notFound("order", params.id, "id");
  return order;
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
