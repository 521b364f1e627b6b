import { keyStartOf, listRequestLogs } from "@/server/requestlog/queries";
import { listLogs } from "@/server/rest/contracts/account";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

export const GET = partnerRoute(listLogs, async ({ db, partnerId, environment, query: { keyId, ...query } }) =>
  listRequestLogs(db, partnerId, environment, { ...query, keyStart: keyId ? await keyStartOf(db, partnerId, keyId) : undefined }),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
