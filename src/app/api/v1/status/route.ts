import { getStatus } from "@/server/rest/contracts/status";
import { otherMethods, publicRoute } from "@/server/rest/handler";
import { statusReport } from "@/server/status";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The public status: components and the incidents of the last 90 days (no key). */
export const GET = publicRoute(getStatus, {}, async ({ db }) => statusReport(db));

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
