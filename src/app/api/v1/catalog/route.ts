import { listPartnerCatalog } from "@/server/catalog/visibility";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { catalogQuery } from "@/server/rest/schemas/catalog";

export const runtime = "nodejs";

export const GET = partnerRoute({ query: catalogQuery }, ({ db, partnerId, environment, query }) =>
  listPartnerCatalog(db, partnerId, environment, query),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
