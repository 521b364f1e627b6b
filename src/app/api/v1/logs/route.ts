import { listRequestLogs } from "@/server/requestlog/queries";
import { listLogs } from "@/server/rest/contracts/account";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

export const GET = partnerRoute(listLogs, ({ db, partnerId, environment, query }) => listRequestLogs(db, partnerId, environment, query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
