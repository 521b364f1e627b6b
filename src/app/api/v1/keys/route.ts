import { listApiKeys } from "@/server/keys";
import { listKeys } from "@/server/rest/contracts/account";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/** The partner's API keys of this environment, prefixes only — never secrets. */
export const GET = partnerRoute(listKeys, async ({ db, partnerId, environment }) => ({ data: await listApiKeys(db, partnerId, environment) }));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
