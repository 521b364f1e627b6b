import { assertSelfManaged, revokeApiKey } from "@/server/keys";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { serializeKey } from "@/server/rest/present";
import { idParam } from "@/server/rest/schemas/common";

export const runtime = "nodejs";

/**
 * Revokes the key making the request, at once (a leaked key can end itself). A key revokes only
 * itself; other keys are managed in the dashboard.
 */
export const POST = partnerRoute({ params: idParam("key") }, async ({ db, partnerId, environment, key, params }) => {
  await assertSelfManaged(db, { partnerId, environment, actingKeyId: key.id, keyId: params.id });
  return serializeKey(await revokeApiKey(db, { partnerId, keyId: params.id, actor: key.id }));
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
