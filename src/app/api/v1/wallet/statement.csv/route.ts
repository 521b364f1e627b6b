import { openPartnerStatementDownload } from "@/server/ledger/statement-download";
import { downloadStatement } from "@/server/rest/contracts/wallet";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/**
 * The wallet's statement for [from, to) as CSV, streamed; opening/closing balances in headers.
 * A download streams from its own small pool (never the app's), a partner has at most
 * STATEMENT_DOWNLOADS_PER_PARTNER open at once on this instance (429 beyond, the dashboard's
 * downloads included), and a download whose reader stops taking data for
 * STATEMENT_STALL_TIMEOUT_MS is ended.
 */
export const GET = partnerRoute(downloadStatement, async ({ db, partnerId, environment, query }) => {
  const download = await openPartnerStatementDownload(db, { partnerId, environment, currency: query.currency, from: query.from, to: query.to });
  return new Response(download.body, { headers: download.headers });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
