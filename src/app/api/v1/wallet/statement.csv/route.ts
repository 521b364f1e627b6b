import { formatAmount } from "@/lib/money";
import { getDatabase } from "@/server/db/client";
import { findWallet, getStatementSummary, statementCsvStream } from "@/server/ledger";
import { ApiError } from "@/server/rest/errors";
import { otherMethods, partnerRoute } from "@/server/rest/handler";
import { statementQuery } from "@/server/rest/schemas/wallet";

export const runtime = "nodejs";

/** The wallet's statement for [from, to) as CSV, streamed; opening/closing balances in headers. */
export const GET = partnerRoute({ query: statementQuery }, async ({ db, partnerId, environment, query }) => {
  if (query.from.getTime() > query.to.getTime()) throw new ApiError(400, "invalid_request_error", "invalid_parameter", "from must not be after to", "from");
  if (query.to.getTime() - query.from.getTime() > 366 * 86_400_000) {
    throw new ApiError(400, "invalid_request_error", "invalid_parameter", "A statement covers at most 366 days", "to");
  }
  const wallet = await findWallet(db, partnerId, environment, query.currency);
  if (!wallet) throw new ApiError(404, "not_found_error", "resource_not_found", `You have no ${query.currency} wallet in ${environment}`, "currency");
  const range = { accountId: wallet.id, from: query.from, to: query.to, partnerId };
  const summary = await getStatementSummary(db, range);
  const name = `steller-${environment}-${query.currency}-${query.from.toISOString().slice(0, 10)}-${query.to.toISOString().slice(0, 10)}.csv`;
  return new Response(statementCsvStream(getDatabase(), range), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      // Formatted like the CSV's balance column.
      "x-opening-balance": formatAmount(summary.openingBalance),
      "x-closing-balance": formatAmount(summary.closingBalance),
      "cache-control": "no-store",
    },
  });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
