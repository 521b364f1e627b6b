import { assertSelfManaged, revokeApiKey } from "@/server/keys";
import { revokeKey } from "@/server/rest/contracts/account";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/**
 * Revokes the key making the request, at once (a leaked key can end itself). A key revokes only
 * itself; other keys are managed in the dashboard.
 */
export const POST = partnerRoute(revokeKey, async ({ db, partnerId, environment, key, params }) => {
  await assertSelfManaged(db, { partnerId, environment, actingKeyId: key.id, keyId: params.id });
  return revokeApiKey(db, { partnerId, keyId: params.id, actor: key.id });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
