import { envValue } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import { formatAmount, type Currency } from "@/lib/money";
import { processSingleton } from "@/lib/process-singletons";
import { DatabaseBusyError, type DbOrTx, getStatementDatabase } from "@/server/db/client";
import type { LedgerEnvironment } from "./accounts";
import { findWallet } from "./accounts";
import { DownloadSlots, getStatementSummary, openStatementCsv } from "./statements";

const MAX_STATEMENT_DAYS = 366;

/**
 * One set of slots per process, shared by the API's and the dashboard's downloads of a partner: a
 * process singleton (src/lib/process-singletons.ts), whichever copy of this module takes a slot.
 */
const slots = () => processSingleton("statement-download-slots", () => new DownloadSlots());

interface StatementDownload {
  body: ReadableStream<Uint8Array>;
  /** `steller-<environment>-<currency>-<from>-<to>.csv` */
  filename: string;
  headers: Record<string, string>;
}

/**
 * A partner's statement of [from, to) as a CSV download, for `GET /api/v1/wallet/statement.csv` and
 * the dashboard's download alike: the range checked (at most 366 days), the wallet of that
 * currency and environment found, one of the partner's STATEMENT_DOWNLOADS_PER_PARTNER slots taken
 * (`too_many_downloads` beyond) and a connection of the statement pool held before anything is
 * answered (`statement_downloads_busy` when none is free). The CSV streams from
 * `openStatementCsv`; opening and closing balances go in the headers.
 */
export async function openPartnerStatementDownload(
  db: DbOrTx,
  input: { partnerId: string; environment: LedgerEnvironment; currency: Currency; from: Date; to: Date },
): Promise<StatementDownload> {
  const { partnerId, environment, currency, from, to } = input;
  if (from.getTime() > to.getTime()) throw new DomainError("invalid_parameter", "from must not be after to", { param: "from" });
  if (to.getTime() - from.getTime() > MAX_STATEMENT_DAYS * 86_400_000) {
    throw new DomainError("invalid_parameter", `A statement covers at most ${MAX_STATEMENT_DAYS} days`, { param: "to" });
  }
  const wallet = await findWallet(db, partnerId, environment, currency);
  if (!wallet) throw new DomainError("resource_not_found", `You have no ${currency} wallet in ${environment}`, { param: "currency" });
  const limit = envValue("STATEMENT_DOWNLOADS_PER_PARTNER");
  const release = slots().take(partnerId, limit);
  if (!release) {
    throw new DomainError(
      "too_many_downloads",
      `At most ${limit} statement download${limit === 1 ? "" : "s"} at once; retry when ${limit === 1 ? "it has" : "one has"} finished`,
      { retryAfterSeconds: 5 },
    );
  }
  const range = { accountId: wallet.id, from, to, partnerId };
  try {
    const summary = await getStatementSummary(db, range);
    const filename = `steller-${environment}-${currency}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`;
    const body = await openStatementCsv(getStatementDatabase(), range, { stallMs: envValue("STATEMENT_STALL_TIMEOUT_MS"), onClose: release, lookup: db });
    return {
      body,
      filename,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        // Formatted like the CSV's balance column.
        "x-opening-balance": formatAmount(summary.openingBalance),
        "x-closing-balance": formatAmount(summary.closingBalance),
        "cache-control": "no-store",
      },
    };
  } catch (error) {
    release();
    if (error instanceof DatabaseBusyError || (error as { cause?: unknown }).cause instanceof DatabaseBusyError) {
      throw new DomainError("statement_downloads_busy", "Too many statement downloads are running; retry shortly", { retryAfterSeconds: 5, cause: error });
    }
    throw error;
  }
}
