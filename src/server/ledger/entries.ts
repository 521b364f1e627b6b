import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import type { Amount, Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerAccounts, ledgerEntries, ledgerTransfers } from "@/server/db/schema";
import { findWallet, getAccount, type LedgerEnvironment } from "./accounts";
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

/** What a list of entries may be narrowed to; every filter is optional and they all apply together. */
interface EntryFilters {
  /** Only entries of transfers of these kinds. */
  kinds?: TransferKind[];
  /** Entries created at or after this moment. */
  from?: Date;
  /** Entries created before this moment (exclusive, like a statement's `to`). */
  to?: Date;
  /** The transfer's reference (an order id, a top-up request id…) contains this text, any case. */
  reference?: string;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterConditions(f: EntryFilters): SQL[] {
  const out: SQL[] = [];
  if (f.kinds?.length) out.push(inArray(ledgerTransfers.kind, f.kinds));
  if (f.from) out.push(gte(ledgerEntries.createdAt, f.from));
  if (f.to) out.push(lt(ledgerEntries.createdAt, f.to));
  const ref = f.reference?.trim();
  if (ref) out.push(sql`${ledgerTransfers.reference} ilike ${`%${likeEscape(ref)}%`}`);
  return out;
}

/**
 * An account's entries, newest first, by cursor (`startingAfter` = the last entry id of the
 * previous page), narrowed by `filters`. With `partnerId`, the account must belong to that partner.
 */
export async function listEntries(
  db: DbOrTx,
  accountId: string,
  opts: { limit?: number; startingAfter?: string | null; partnerId?: string; filters?: EntryFilters } = {},
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
    .where(and(eq(ledgerEntries.accountId, accountId), ...(before === null ? [] : [lt(ledgerEntries.seq, before)]), ...filterConditions(opts.filters ?? {})))
    .orderBy(desc(ledgerEntries.seq))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, hasMore, nextCursor: hasMore ? data[data.length - 1]!.id : null };
}

/** One entry of one of the partner's wallets in `environment`, or null (another partner's entry is null too). */
export async function getPartnerEntry(
  db: DbOrTx,
  input: { partnerId: string; environment: LedgerEnvironment; entryId: string },
): Promise<Omit<LedgerEntryView, "counterpartyAccountId" | "metadata"> | null> {
  const [row] = await db
    .select({ ...entryColumns, createdAt: ledgerEntries.createdAt })
    .from(ledgerEntries)
    .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(
      and(
        eq(ledgerEntries.id, input.entryId),
        eq(ledgerAccounts.kind, "partner_wallet"),
        eq(ledgerAccounts.partnerId, input.partnerId),
        eq(ledgerAccounts.environment, input.environment),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The order an entry paid for or refunded, and the top-up request it funded: what a ledger's detail links to. */
export function entryLinks(e: { kind: string; reference: string | null }) {
  return {
    orderId: e.kind === "order_debit" || e.kind === "order_refund" ? e.reference : null,
    topupRequestId: e.kind === "topup_approval" ? e.reference : null,
  };
}

/**
 * A page of one partner's wallet (environment, currency) entries, newest first, with their links:
 * what the partner dashboard's ledger and the admin's ledger of a partner both show. No wallet
 * yet is an empty page.
 */
export async function listPartnerWalletEntries(
  db: DbOrTx,
  input: { partnerId: string; environment: LedgerEnvironment; currency: Currency; after?: string | null; limit: number; filters: EntryFilters },
) {
  const wallet = await findWallet(db, input.partnerId, input.environment, input.currency);
  if (!wallet) return { currency: input.currency, data: [], hasMore: false, nextCursor: null };
  const page = await listEntries(db, wallet.id, { limit: input.limit, startingAfter: input.after ?? null, partnerId: input.partnerId, filters: input.filters });
  return {
    currency: input.currency,
    data: page.data.map((e) => ({
      id: e.id,
      transferId: e.transferId,
      kind: e.kind,
      reference: e.reference,
      amount: e.amount,
      balanceAfter: e.balanceAfter,
      currency: e.currency,
      createdAt: new Date(e.createdAt),
      ...entryLinks(e),
    })),
    hasMore: page.hasMore,
    nextCursor: page.nextCursor,
  };
}
