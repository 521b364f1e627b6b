import { newId } from "@/lib/ids";
import type { SessionUser } from "@/server/auth/session-user";
import type { DbOrTx } from "@/server/db/client";
import { ApiError, errorResponse, toApiError } from "@/server/rest/errors";
import { statementCsvResponse } from "../../dashboard/wallet/statement-csv";

/**
 * The admin's statement download of any partner: `?partner=ptn_…&environment=live&currency=USD&from=…&to=…`,
 * the same CSV as the partner's own download (and `GET /api/v1/wallet/statement.csv`). Admins who
 * passed their second factor only (401 / 403 otherwise).
 */
export async function adminStatementCsv(req: Request, user: SessionUser | null, db: DbOrTx): Promise<Response> {
  const requestId = newId("req");
  try {
    if (!user) throw ApiError.of("not_signed_in", "Sign in to download statements.");
    if (!user.isAdmin) throw ApiError.of("admin_only", "Administrators only.");
    const q = new URL(req.url).searchParams;
    const partnerId = q.get("partner");
    if (!partnerId) throw ApiError.of("invalid_parameter", "partner is required", { param: "partner" });
    return await statementCsvResponse(db, partnerId, q.get("environment") ?? "live", q, requestId);
  } catch (error) {
    return errorResponse(toApiError(error), requestId);
  }
}
