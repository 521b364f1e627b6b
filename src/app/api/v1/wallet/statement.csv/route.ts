import { envValue } from "@/lib/env";
import { formatAmount } from "@/lib/money";
import { DatabaseBusyError, getStatementDatabase } from "@/server/db/client";
import { DownloadSlots, findWallet, getStatementSummary, openStatementCsv } from "@/server/ledger";
import { downloadStatement } from "@/server/rest/contracts/wallet";
import { ApiError } from "@/server/rest/errors";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

const g = globalThis as unknown as { __stellerStatementSlots?: DownloadSlots };
const slots = (g.__stellerStatementSlots ??= new DownloadSlots());

/**
 * The wallet's statement for [from, to) as CSV, streamed; opening/closing balances in headers.
 * A download streams from its own small pool (never the app's), a partner has at most
 * STATEMENT_DOWNLOADS_PER_PARTNER open at once on this instance (429 beyond), and a download whose
 * reader stops taking data for STATEMENT_STALL_TIMEOUT_MS is ended.
 */
export const GET = partnerRoute(downloadStatement, async ({ db, partnerId, environment, query }) => {
  if (query.from.getTime() > query.to.getTime()) throw ApiError.of("invalid_parameter", "from must not be after to", { param: "from" });
  if (query.to.getTime() - query.from.getTime() > 366 * 86_400_000) {
    throw ApiError.of("invalid_parameter", "A statement covers at most 366 days", { param: "to" });
  }
  const wallet = await findWallet(db, partnerId, environment, query.currency);
  if (!wallet) throw ApiError.of("resource_not_found", `You have no ${query.currency} wallet in ${environment}`, { param: "currency" });
  const limit = envValue("STATEMENT_DOWNLOADS_PER_PARTNER");
  const release = slots.take(partnerId, limit);
  if (!release) {
    throw ApiError.of(
      "too_many_downloads",
      `At most ${limit} statement download${limit === 1 ? "" : "s"} at once; retry when ${limit === 1 ? "it has" : "one has"} finished`,
      {
        headers: { "Retry-After": "5" },
      },
    );
  }
  const range = { accountId: wallet.id, from: query.from, to: query.to, partnerId };
  try {
    const summary = await getStatementSummary(db, range);
    const name = `steller-${environment}-${query.currency}-${query.from.toISOString().slice(0, 10)}-${query.to.toISOString().slice(0, 10)}.csv`;
    const body = await openStatementCsv(getStatementDatabase(), range, { stallMs: envValue("STATEMENT_STALL_TIMEOUT_MS"), onClose: release, lookup: db });
    return new Response(body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        // Formatted like the CSV's balance column.
        "x-opening-balance": formatAmount(summary.openingBalance),
        "x-closing-balance": formatAmount(summary.closingBalance),
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    release();
    if (error instanceof DatabaseBusyError || (error as { cause?: unknown }).cause instanceof DatabaseBusyError) {
      throw ApiError.of("statement_downloads_busy", "Too many statement downloads are running; retry shortly", { headers: { "Retry-After": "5" } });
    }
    throw error;
  }
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
