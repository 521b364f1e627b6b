import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import { addAmounts, formatAmount, isNegativeAmount, negateAmount, subAmounts, type Amount, type Currency } from "@/lib/money";
import type postgres from "postgres";
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
type ReservedSql = postgres.ReservedSql;
type StatementAccount = Awaited<ReturnType<typeof getAccount>>;

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
 * The statement with its entries, oldest first. Loads every entry of the period (or the first
 * `maxEntries`: fewer entries than `entryCount` then), for long periods use `streamStatementCsv`.
 */
export async function getStatement(db: DbOrTx, r: StatementRange, opts: { maxEntries?: number } = {}): Promise<Statement> {
  checkRange(r);
  const account = await getAccount(db, r.accountId, { partnerId: r.partnerId });
  return db.transaction(
    async (tx) => {
      const summary = await summarize(tx, r, account);
      const query = tx
        .select({
          ...entryColumns,
          createdAt: ledgerEntries.createdAt,
        })
        .from(ledgerEntries)
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(and(eq(ledgerEntries.accountId, r.accountId), gte(ledgerEntries.createdAt, r.from), lt(ledgerEntries.createdAt, r.to)))
        .orderBy(asc(ledgerEntries.seq))
        .$dynamic();
      const entries = await (opts.maxEntries === undefined ? query : query.limit(opts.maxEntries));
      return { ...summary, entries };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

const STATEMENT_CSV_HEADER = "date,entry_id,transfer_id,kind,reference,debit,credit,balance,currency\r\n";

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
  return `${[
    e.created_at,
    csvCell(e.id),
    csvCell(e.transfer_id),
    csvCell(e.kind),
    csvCell(e.reference),
    out ? formatAmount(negateAmount(e.amount)) : "",
    out ? "" : formatAmount(e.amount),
    formatAmount(e.balance_after),
    csvCell(e.currency),
  ].join(",")}\r\n`;
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
  opts: {
    batchSize?: number;
    onSummary?: (s: StatementSummary) => void;
    /** A connection already reserved from `database.sql` (see `openStatementCsv`); released at the end. */
    reserved?: ReservedSql;
    /** The account, already looked up and checked against `r.partnerId` (with `reserved`). */
    account?: StatementAccount;
  } = {},
): AsyncGenerator<string, void, undefined> {
  let conn = opts.reserved;
  try {
    checkRange(r);
  } catch (error) {
    conn?.release();
    throw error;
  }
  let account: StatementAccount;
  try {
    // With a reservation, never another connection of the same pool: its place may be the last one.
    account = opts.account ?? (await getAccount(database.db, r.accountId, { partnerId: r.partnerId }));
  } catch (error) {
    conn?.release();
    throw error;
  }
  conn ??= await database.sql.reserve();
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

/** A statement download whose reader took nothing for `stallMs`: ended, its connection released. */
class StatementStalledError extends Error {
  constructor(readonly stallMs: number) {
    super(`statement download ended: the reader took nothing for ${stallMs} ms`);
    this.name = "StatementStalledError";
  }
}

export interface CsvStreamOptions {
  batchSize?: number;
  /**
   * End the download when the reader has not asked for the next chunk for this long (a client that
   * opened the stream and stopped reading holds a connection and an open transaction).
   */
  stallMs?: number;
  /** Called once when the download ends in any way (finished, cancelled, failed or stalled). */
  onClose?: () => void;
  reserved?: ReservedSql;
  account?: StatementAccount;
}

/** `streamStatementCsv` as a byte stream for a route handler's Response body. */
export function statementCsvStream(database: Pick<Database, "db" | "sql">, r: StatementRange, opts: CsvStreamOptions = {}): ReadableStream<Uint8Array> {
  const chunks = streamStatementCsv(database, r, { batchSize: opts.batchSize, reserved: opts.reserved, account: opts.account });
  const encoder = new TextEncoder();
  let stall: NodeJS.Timeout | undefined;
  let closed = false;
  const close = () => {
    clearTimeout(stall);
    if (closed) return;
    closed = true;
    opts.onClose?.();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      clearTimeout(stall);
      try {
        const next = await chunks.next();
        if (next.done) {
          controller.close();
          close();
          return;
        }
        controller.enqueue(encoder.encode(next.value));
        if (opts.stallMs) {
          stall = setTimeout(() => {
            controller.error(new StatementStalledError(opts.stallMs!));
            // The generator waits at its `yield`: returning runs its `finally` (rollback, release).
            void chunks.return(undefined).finally(close);
          }, opts.stallMs);
        }
      } catch (err) {
        controller.error(err);
        close();
      }
    },
    async cancel() {
      clearTimeout(stall);
      try {
        await chunks.return(undefined);
      } finally {
        close();
      }
    },
  });
}

/**
 * A statement download that holds its connection before the response starts: the account is
 * checked and a connection of `database` reserved now (so "no connection free" is an error the
 * route can answer, not a broken stream), then the CSV streams from it.
 */
export async function openStatementCsv(
  database: Pick<Database, "db" | "sql">,
  r: StatementRange,
  opts: Omit<CsvStreamOptions, "reserved" | "account"> & { /** Where to look the account up (default `database.db`). */ lookup?: DbOrTx } = {},
) {
  checkRange(r);
  const account = await getAccount(opts.lookup ?? database.db, r.accountId, { partnerId: r.partnerId });
  const reserved = await database.sql.reserve();
  return statementCsvStream(database, r, { ...opts, reserved, account });
}

/**
 * Statement downloads open at once per partner, in this process: each holds a connection of the
 * statement pool for as long as its reader takes, so one partner must not take them all.
 */
export class DownloadSlots {
  private readonly open = new Map<string, number>();

  /** A release function, or null when `owner` already has `limit` downloads open. */
  take(owner: string, limit: number): (() => void) | null {
    const n = this.open.get(owner) ?? 0;
    if (n >= limit) return null;
    this.open.set(owner, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(owner) ?? 1) - 1;
      if (left > 0) this.open.set(owner, left);
      else this.open.delete(owner);
    };
  }
}
