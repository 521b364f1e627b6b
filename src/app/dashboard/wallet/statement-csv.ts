import type { MemberRole, SessionUser } from "@/server/auth/session-user";
import type { DbOrTx } from "@/server/db/client";
import { dayBounds, statementRange } from "@/lib/schemas/dashboard-wallet";
import { openPartnerStatementDownload } from "@/server/ledger/statement-download";
import { ApiError, errorResponse, toApiError } from "@/server/rest/errors";
import { newId } from "@/lib/ids";
import { ENVIRONMENT_COOKIE } from "../environment-shared";

/** Who may download a statement from the dashboard: the roles of `wallet.statement`. */
const STATEMENT_ROLES: readonly MemberRole[] = ["owner", "finance"];

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/**
 * The dashboard's statement download: `?currency=USD&from=2026-11-01&to=2026-11-30` (whole UTC days,
 * both included, exactly what the wallet page shows) in the environment of `?environment=` or the
 * dashboard's switch. Signed-in owners and finance members only (401 / 403 otherwise); the same
 * download as `GET /api/v1/wallet/statement.csv` (same CSV, same per-partner slots).
 */
export async function dashboardStatementCsv(req: Request, user: SessionUser | null, db: DbOrTx): Promise<Response> {
  const requestId = newId("req");
  try {
    if (!user) throw ApiError.of("not_signed_in", "Sign in to download statements.");
    const m = user.membership;
    if (!m || !STATEMENT_ROLES.includes(m.role)) throw ApiError.of("role_not_allowed", "Statements are for the owner and finance roles.");
    const q = new URL(req.url).searchParams;
    return await statementCsvResponse(db, m.partnerId, q.get("environment") ?? cookieValue(req, ENVIRONMENT_COOKIE) ?? "sandbox", q, requestId);
  } catch (error) {
    return errorResponse(toApiError(error), requestId);
  }
}

/**
 * One partner's statement CSV for `?currency=USD&from=…&to=…` (whole UTC days, both included) in
 * `env`: the download behind the dashboard's and the admin's "Download CSV" (the caller checks who may).
 */
export async function statementCsvResponse(db: DbOrTx, partnerId: string, env: string, q: URLSearchParams, requestId: string): Promise<Response> {
  if (env !== "sandbox" && env !== "live") throw ApiError.of("invalid_parameter", "environment is sandbox or live", { param: "environment" });
  const range = statementRange.parse({ currency: q.get("currency") ?? "USD", from: q.get("from") ?? "", to: q.get("to") ?? "" });
  const { from, to } = dayBounds(range.from, range.to);
  const download = await openPartnerStatementDownload(db, { partnerId, environment: env, currency: range.currency, from: from!, to: to! });
  const filename = `steller-${env}-${range.currency}-${range.from}-to-${range.to}.csv`;
  return new Response(download.body, {
    headers: { ...download.headers, "content-disposition": `attachment; filename="${filename}"`, "x-request-id": requestId },
  });
}
