import { assertSelfManaged, presentKey, rotateApiKey } from "@/server/keys";
import { json, otherMethods, partnerRoute } from "@/server/rest/handler";
import { serializeKey } from "@/server/rest/present";
import { rotateKeyBody } from "@/server/rest/schemas/account";
import { idParam } from "@/server/rest/schemas/common";

export const runtime = "nodejs";

/**
 * A new secret for the key making the request (a key rotates only itself; other keys are managed
 * in the dashboard); the old one keeps working for `overlapSeconds` (default 24 h).
 */
export const POST = partnerRoute({ params: idParam("key"), body: rotateKeyBody }, async ({ db, partnerId, environment, key, params, body }) => {
  await assertSelfManaged(db, { partnerId, environment, actingKeyId: key.id, keyId: params.id });
  const rotated = await rotateApiKey(db, { partnerId, environment, keyId: params.id, overlapSeconds: body.overlapSeconds, actor: key.id });
  return json({ key: serializeKey(presentKey(rotated.key)), secret: rotated.secret, previous: serializeKey(presentKey(rotated.previous)) }, 201);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
