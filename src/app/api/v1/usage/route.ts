import { partnerUsage } from "@/server/orders/queries";
import { getUsage } from "@/server/rest/contracts/account";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

export const GET = partnerRoute(getUsage, ({ db, partnerId, environment, query }) => partnerUsage(db, partnerId, environment, query.days));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
