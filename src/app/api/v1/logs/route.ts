import { listRequestLogs } from "@/server/requestlog/queries";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { logsQuery } from "@/server/rest/schemas/account";

export const runtime = "nodejs";

export const GET = partnerRoute({ query: logsQuery }, ({ db, partnerId, environment, query }) =>
  listRequestLogs(db, partnerId, environment, query),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
