import { assertSelfManaged, presentKey, rotateApiKey } from "@/server/keys";
import { rotateKey } from "@/server/rest/contracts/account";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/**
 * A new secret for the key making the request (a key rotates only itself; other keys are managed
 * in the dashboard); the old one keeps working for `overlapSeconds` (default 24 h).
 */
export const POST = partnerRoute(rotateKey, async ({ db, partnerId, environment, key, params, body }) => {
  await assertSelfManaged(db, { partnerId, environment, actingKeyId: key.id, keyId: params.id });
  const rotated = await rotateApiKey(db, { partnerId, environment, keyId: params.id, overlapSeconds: body.overlapSeconds, actor: key.id });
  return { key: presentKey(rotated.key), secret: rotated.secret, previous: presentKey(rotated.previous) };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
