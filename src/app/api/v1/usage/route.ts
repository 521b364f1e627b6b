import { partnerUsage } from "@/server/orders/queries";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { usageQuery } from "@/server/rest/schemas/account";

export const runtime = "nodejs";

export const GET = partnerRoute({ query: usageQuery }, ({ db, partnerId, environment, query }) =>
  partnerUsage(db, partnerId, environment, query.days),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
