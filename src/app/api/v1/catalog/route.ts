import { listPartnerCatalog } from "@/server/catalog/visibility";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { listCatalog } from "@/server/rest/contracts/catalog";

export const runtime = "nodejs";

export const GET = partnerRoute(listCatalog, ({ db, partnerId, environment, query }) => listPartnerCatalog(db, partnerId, environment, query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
