import { and, desc, eq, lt, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import type { Amount, Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerEntries, ledgerTransfers } from "@/server/db/schema";
import { getAccount } from "./accounts";
import type { TransferKind } from "./transfer";

export interface LedgerEntryView {
  id: string;
  transferId: string;
  kind: TransferKind;
  reference: string | null;
  /** Signed: positive when money arrived, negative when it left. */
  amount: Amount;
  balanceAfter: Amount;
  currency: Currency;
  counterpartyAccountId: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

const MAX_PAGE_SIZE = 100;

/** The columns of an entry as lists and statements show it (entries joined to their transfer). */
export const entryColumns = {
  id: ledgerEntries.id,
  transferId: ledgerEntries.transferId,
  kind: ledgerTransfers.kind,
  reference: ledgerTransfers.reference,
  amount: ledgerEntries.amount,
  balanceAfter: ledgerEntries.balanceAfter,
  currency: ledgerEntries.currency,
};

/**
 * An account's entries, newest first, by cursor (`startingAfter` = the last entry id of the
 * previous page). With `partnerId`, the account must belong to that partner.
 */
export async function listEntries(
  db: DbOrTx,
  accountId: string,
  opts: { limit?: number; startingAfter?: string | null; partnerId?: string } = {},
): Promise<Page<LedgerEntryView>> {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 25), 1), MAX_PAGE_SIZE);
  await getAccount(db, accountId, { partnerId: opts.partnerId });
  let before: bigint | null = null;
  if (opts.startingAfter) {
    const [cursor] = await db
      .select({ seq: ledgerEntries.seq })
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.id, opts.startingAfter), eq(ledgerEntries.accountId, accountId)))
      .limit(1);
    if (!cursor) throw new DomainError("invalid_cursor", "startingAfter is not an entry of this wallet", { param: "startingAfter" });
    before = cursor.seq;
  }
  const rows = await db
    .select({
      ...entryColumns,
      counterpartyAccountId: sql<string>`case when ${ledgerTransfers.debitAccountId} = ${ledgerEntries.accountId}
        then ${ledgerTransfers.creditAccountId} else ${ledgerTransfers.debitAccountId} end`,
      metadata: ledgerTransfers.metadata,
      createdAt: ledgerEntries.createdAt,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
    .where(before === null ? eq(ledgerEntries.accountId, accountId) : and(eq(ledgerEntries.accountId, accountId), lt(ledgerEntries.seq, before)))
    .orderBy(desc(ledgerEntries.seq))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, hasMore, nextCursor: hasMore ? data[data.length - 1]!.id : null };
}
