import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import { addAmounts, formatAmount, isNegativeAmount, negateAmount, subAmounts, type Amount, type Currency } from "@/lib/money";
import type { Database, DbOrTx } from "@/server/db/client";
import { ledgerEntries, ledgerTransfers } from "@/server/db/schema";
import { getAccount, type LedgerEnvironment } from "./accounts";
import { InvalidLedgerRequestError } from "./errors";
import { entryColumns, type LedgerEntryView } from "./entries";

export interface StatementRange {
  accountId: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  /** When set, the account must belong to this partner. */
  partnerId?: string;
}

export interface StatementSummary {
  accountId: string;
  currency: Currency;
  environment: LedgerEnvironment;
  from: Date;
  to: Date;
  openingBalance: Amount;
  closingBalance: Amount;
  /** Money in during the period (positive). */
  totalCredits: Amount;
  /** Money out during the period (positive). */
  totalDebits: Amount;
  entryCount: number;
}

export interface Statement extends StatementSummary {
  entries: Omit<LedgerEntryView, "counterpartyAccountId" | "metadata">[];
}

function checkRange(r: StatementRange) {
  if (!(r.from instanceof Date) || !(r.to instanceof Date) || Number.isNaN(r.from.getTime()) || Number.isNaN(r.to.getTime())) {
    throw new InvalidLedgerRequestError("statement dates must be valid dates");
  }
  if (r.from.getTime() > r.to.getTime()) throw new InvalidLedgerRequestError("statement `from` is after `to`");
}

type SqlRunner = Pick<DbOrTx, "execute">;

/** Timestamps go to raw SQL as ISO text: drizzle's postgres.js setup passes Date values through unserialized. */
const iso = (d: Date) => d.toISOString();

async function summarize(db: SqlRunner, r: StatementRange, account: { currency: string; environment: LedgerEnvironment }) {
  const rows = await db.execute<{ opening: string; credits: string; debits: string; count: string }>(sql`
    select
      coalesce(sum(amount) filter (where created_at < ${iso(r.from)}::timestamptz), 0)::numeric(19,4)::text as opening,
      coalesce(sum(amount) filter (where created_at >= ${iso(r.from)}::timestamptz and amount > 0), 0)::numeric(19,4)::text as credits,
      coalesce(-sum(amount) filter (where created_at >= ${iso(r.from)}::timestamptz and amount < 0), 0)::numeric(19,4)::text as debits,
      count(*) filter (where created_at >= ${iso(r.from)}::timestamptz) as count
    from ledger_entries
    where account_id = ${r.accountId} and created_at < ${iso(r.to)}::timestamptz`);
  return toSummary(r, account, rows[0]!);
}

function toSummary(
  r: StatementRange,
  account: { currency: string; environment: LedgerEnvironment },
  row: { opening: string; credits: string; debits: string; count: string },
): StatementSummary {
  return {
    accountId: r.accountId,
    currency: account.currency,
    environment: account.environment,
    from: r.from,
    to: r.to,
    openingBalance: row.opening,
    closingBalance: subAmounts(addAmounts(row.opening, row.credits), row.debits),
    totalCredits: row.credits,
    totalDebits: row.debits,
    entryCount: Number(row.count),
  };
}

/** Opening and closing balance and period totals of an account for [from, to). */
export async function getStatementSummary(db: DbOrTx, r: StatementRange): Promise<StatementSummary> {
  checkRange(r);
  const account = await getAccount(db, r.accountId, { partnerId: r.partnerId });
  return db.transaction(async (tx) => summarize(tx, r, account), { isolationLevel: "repeatable read", accessMode: "read only" });
}

/**
 * The statement with its entries, oldest first. Loads every entry of the period: for long
 * periods use `streamStatementCsv`.
 */
export async function getStatement(db: DbOrTx, r: StatementRange): Promise<Statement> {
  checkRange(r);
  const account = await getAccount(db, r.accountId, { partnerId: r.partnerId });
  return db.transaction(
    async (tx) => {
      const summary = await summarize(tx, r, account);
      const entries = await tx
        .select({
          ...entryColumns,
          createdAt: ledgerEntries.createdAt,
        })
        .from(ledgerEntries)
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(and(eq(ledgerEntries.accountId, r.accountId), gte(ledgerEntries.createdAt, r.from), lt(ledgerEntries.createdAt, r.to)))
        .orderBy(asc(ledgerEntries.seq));
      return { ...summary, entries };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

export const STATEMENT_CSV_HEADER = "date,entry_id,transfer_id,kind,reference,debit,credit,balance,currency\r\n";

/** RFC 4180 quoting, plus a leading apostrophe on text a spreadsheet would run as a formula. */
export function csvCell(value: string | null | undefined): string {
  let v = value ?? "";
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

interface CsvEntryRow {
  id: string;
  transfer_id: string;
  kind: string;
  reference: string | null;
  amount: string;
  balance_after: string;
  currency: string;
  /** ISO-8601 UTC, formatted by the database (the shared client leaves timestamps as text). */
  created_at: string;
}

function csvRow(e: CsvEntryRow): string {
  const out = isNegativeAmount(e.amount);
  return [
    e.created_at,
    csvCell(e.id),
    csvCell(e.transfer_id),
    csvCell(e.kind),
    csvCell(e.reference),
    out ? formatAmount(negateAmount(e.amount)) : "",
    out ? "" : formatAmount(e.amount),
    formatAmount(e.balance_after),
    csvCell(e.currency),
  ].join(",") + "\r\n";
}

/**
 * The statement's entries as CSV text chunks (header first, then one chunk per `batchSize`
 * rows), read through a server-side cursor inside one read-only repeatable-read transaction on a
 * reserved connection: rows are never all in memory, and the rows agree with
 * `getStatementSummary` taken in the same snapshot (returned through `onSummary`). Stopping the
 * iteration early closes the cursor and releases the connection.
 */
export async function* streamStatementCsv(
  database: Pick<Database, "db" | "sql">,
  r: StatementRange,
  opts: { batchSize?: number; onSummary?: (s: StatementSummary) => void } = {},
): AsyncGenerator<string, void, undefined> {
  checkRange(r);
  const account = await getAccount(database.db, r.accountId, { partnerId: r.partnerId });
  const conn = await database.sql.reserve();
  let open = false;
  try {
    await conn`begin isolation level repeatable read read only`;
    open = true;
    if (opts.onSummary) {
      // Same snapshot as the cursor below, through the reserved connection.
      const rows = await conn<{ opening: string; credits: string; debits: string; count: string }[]>`
        select
          coalesce(sum(amount) filter (where created_at < ${iso(r.from)}::timestamptz), 0)::numeric(19,4)::text as opening,
          coalesce(sum(amount) filter (where created_at >= ${iso(r.from)}::timestamptz and amount > 0), 0)::numeric(19,4)::text as credits,
          coalesce(-sum(amount) filter (where created_at >= ${iso(r.from)}::timestamptz and amount < 0), 0)::numeric(19,4)::text as debits,
          count(*) filter (where created_at >= ${iso(r.from)}::timestamptz) as count
        from ledger_entries where account_id = ${r.accountId} and created_at < ${iso(r.to)}::timestamptz`;
      opts.onSummary(toSummary(r, account, rows[0]!));
    }
    yield STATEMENT_CSV_HEADER;
    const cursor = conn<CsvEntryRow[]>`
      select e.id, e.transfer_id, t.kind::text as kind, t.reference, e.amount::text as amount,
             e.balance_after::text as balance_after, e.currency,
             to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
      from ledger_entries e join ledger_transfers t on t.id = e.transfer_id
      where e.account_id = ${r.accountId} and e.created_at >= ${iso(r.from)}::timestamptz
        and e.created_at < ${iso(r.to)}::timestamptz
      order by e.seq`.cursor(opts.batchSize ?? 500);
    for await (const rows of cursor) {
      yield rows.map(csvRow).join("");
    }
    await conn`commit`;
    open = false;
  } finally {
    if (open) await conn`rollback`.catch(() => {});
    conn.release();
  }
}

/** `streamStatementCsv` as a byte stream for a route handler's Response body. */
export function statementCsvStream(
  database: Pick<Database, "db" | "sql">,
  r: StatementRange,
  opts: { batchSize?: number } = {},
): ReadableStream<Uint8Array> {
  const chunks = streamStatementCsv(database, r, opts);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
