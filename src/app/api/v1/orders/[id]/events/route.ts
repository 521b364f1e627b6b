import { getOrderTimeline } from "@/server/orders/timeline";
import { listOrderEvents } from "@/server/rest/contracts/orders";
import { notFound } from "@/server/rest/errors";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/** The same timeline as the dashboard's order page. */
export const GET = partnerRoute(listOrderEvents, async ({ db, partnerId, environment, params }) => {
  const events = await getOrderTimeline(db, { partnerId, environment, orderId: params.id });
  if (!events) throw notFound("order", params.id, "id");
  return { data: events };
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
