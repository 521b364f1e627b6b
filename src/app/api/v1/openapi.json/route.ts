import { getOpenApi } from "@/server/rest/contracts/reference";
import { otherMethods, publicRoute } from "@/server/rest/handler";
import { buildOpenApi } from "@/server/rest/openapi";

export const runtime = "nodejs";

let cached: ReturnType<typeof buildOpenApi> | undefined;

export const GET = publicRoute(getOpenApi, {}, async () => {
  cached ??= buildOpenApi();
  return cached;
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
