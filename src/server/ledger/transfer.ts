import { and, eq, sql, type SQL } from "drizzle-orm";
import { rowFromDriver } from "@/server/db/rows";
import { newId } from "@/lib/ids";
import { amountsEqual, parseCurrency, parsePositiveAmount, type Amount, type Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerTransfers, type ledgerTransferKind } from "@/server/db/schema";
import {
  AccountNotFoundError,
  type LedgerError,
  CurrencyMismatchError,
  EnvironmentMismatchError,
  InsufficientFundsError,
  InvalidLedgerRequestError,
  LedgerConflictError,
} from "./errors";

export type TransferKind = (typeof ledgerTransferKind.enumValues)[number];
export type Transfer = typeof ledgerTransfers.$inferSelect;

/** Kinds that must carry a reference: each business event moves money at most once. */
const REFERENCE_REQUIRED_KINDS: ReadonlySet<TransferKind> = new Set([
  "order_debit",
  "order_refund",
  "topup_approval",
  "sandbox_grant",
  "order_revenue",
  "order_revenue_reversal",
  "agent_funding",
  "agent_recall",
  "agent_commission",
  "agent_commission_reversal",
  "commission_payout",
]);

export interface TransferInput {
  kind: TransferKind;
  amount: Amount;
  currency: Currency;
  /** Money leaves this account (its balance goes down). */
  debitAccountId: string;
  /** Money arrives in this account (its balance goes up). */
  creditAccountId: string;
  /** Business key; the same (kind, reference) never moves money twice. */
  reference?: string | null;
  /** Who caused it: `usr_…`, `key_…` or `system:<job>`. */
  actor: string;
  metadata?: Record<string, unknown>;
}

export interface TransferResult {
  transfer: Transfer;
  /** False when (kind, reference) had already been recorded and that transfer is returned. */
  created: boolean;
}

/**
 * Moves `amount` from the debit account to the credit account, atomically: one transfer row,
 * two immutable entries, and both balance projections, in the caller's transaction or on its
 * own. One call of the `ledger_transfer` database function (drizzle/0011): it locks both
 * accounts in id order, refuses without writing anything (so no savepoint is needed), and
 * debits a wallet only while its balance covers the amount. With a reference the call is
 * idempotent: a replay returns the first transfer; a replay with another amount, currency or
 * accounts throws LedgerConflictError. A refusal throws its LedgerError (`refusalError`).
 */
export async function transfer(db: DbOrTx, input: TransferInput): Promise<TransferResult> {
  const call = checkTransfer(input);
  const [row] = await db.execute<Record<string, unknown> & LedgerOutcomeRow>(sql`select *, ${outcomeColumns("d")} from ${call.sql} d`);
  const attempt = readAttempt(call.checked, row ?? null);
  if (!attempt) throw new Error("ledger_transfer answered no row");
  if (!attempt.ok) throw refusalError(attempt);
  const found = rowFromDriver(ledgerTransfers, row!);
  if (!attempt.created) assertSameMovement(found, call.checked);
  return { transfer: found, created: attempt.created };
}

/** Why `ledger_transfer` refused a transfer, as a value (it writes nothing when it refuses). */
export type TransferRefusal =
  | { ok: false; refusal: "insufficient_funds"; accountId: string; requested: Amount; currency: Currency }
  | { ok: false; refusal: "account_not_found"; accountId: string }
  | { ok: false; refusal: "currency_mismatch"; accountId: string; expected: Currency; actual: Currency }
  | { ok: false; refusal: "environment_mismatch"; debitAccountId: string; creditAccountId: string };

/** What became of a transfer: made (or found, for a replayed reference), or refused. */
export type TransferAttempt = { ok: true; transferId: string; created: boolean } | TransferRefusal;

/** The typed error for a refusal (what `transfer` throws; the API maps these). */
export function refusalError(r: TransferRefusal): LedgerError {
  switch (r.refusal) {
    case "account_not_found":
      return new AccountNotFoundError(r.accountId);
    case "currency_mismatch":
      return new CurrencyMismatchError(r.accountId, r.expected, r.actual);
    case "environment_mismatch":
      return new EnvironmentMismatchError(r.debitAccountId, r.creditAccountId);
    case "insufficient_funds":
      return new InsufficientFundsError(r.accountId, r.requested, r.currency);
  }
}

/**
 * A transfer as one part of a caller's single statement (an order, its debit and its event in
 * one round trip). `cte` is the body of a common table expression that makes the transfer, only
 * when `when` holds (default: always), and yields its outcome row (none when not attempted).
 * Select `columns(alias)` from that CTE in the statement's result and read the row back with
 * `attempt`: refusals come back as values, and nothing is written for them. A caller that must
 * not keep its own writes without the money moving makes them depend on the transfer (e.g.
 * `… from <alias> where <alias>.ledger_outcome = 'created'`), see `createdIn`.
 */
export function transferInStatement(input: TransferInput, opts: { when?: SQL } = {}) {
  const call = checkTransfer(input);
  return {
    // offset 0 keeps `when` inside its subquery, evaluated before the transfer is attempted: pulled
    // up, a condition calling a volatile function (agency_sale_check) would be checked after it.
    cte: opts.when ? sql`select d.* from (select where ${opts.when} offset 0) g cross join lateral ${call.sql} d` : sql`select d.* from ${call.sql} d`,
    columns: (alias: string) => outcomeColumns(alias),
    /** True in SQL when the transfer selected as `alias` was made now. */
    createdIn: (alias: string) => sql.raw(`${sqlAlias(alias)}.outcome = 'created'`),
    /** The outcome from a result row that selected `columns`; null when the transfer was not attempted. */
    attempt: (row: Record<string, unknown> | undefined | null): TransferAttempt | null => readAttempt(call.checked, row ?? null),
  };
}

/** The columns `ledger_transfer` answers with besides the transfer row, under names of their own. */
interface LedgerOutcomeRow {
  ledger_outcome: string | null;
  ledger_problem_account: string | null;
  ledger_problem_detail: string | null;
  ledger_transfer_id: string | null;
}

const sqlAlias = (alias: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not an SQL alias: ${alias}`);
  return alias;
};

const outcomeColumns = (alias: string) => {
  const a = sqlAlias(alias);
  return sql.raw(
    `${a}.outcome as ledger_outcome, ${a}.problem_account as ledger_problem_account, ${a}.problem_detail as ledger_problem_detail, ${a}.id as ledger_transfer_id`,
  );
};

interface CheckedTransfer {
  amount: Amount;
  currency: Currency;
  debitAccountId: string;
  creditAccountId: string;
}

/** Validates the input, then the SQL call `ledger_transfer(…)` (a set-returning function: one row, the outcome then the transfer's columns). */
function checkTransfer(input: TransferInput): { sql: SQL; checked: CheckedTransfer } {
  const amount = parsePositiveAmount(input.amount);
  const currency = parseCurrency(input.currency);
  const reference = input.reference ?? null;
  const { kind, debitAccountId, creditAccountId } = input;
  if (debitAccountId === creditAccountId) throw new InvalidLedgerRequestError("a transfer needs two different accounts");
  if (REFERENCE_REQUIRED_KINDS.has(kind) && !reference) throw new InvalidLedgerRequestError(`${kind} transfers need a reference`);
  if (!input.actor) throw new InvalidLedgerRequestError("a transfer needs an actor");
  return {
    sql: sql`ledger_transfer(${newId("trf")}, ${kind}, ${amount}::numeric, ${currency}, ${debitAccountId}, ${creditAccountId},
      ${reference}, ${input.actor}, ${JSON.stringify(input.metadata ?? {})}::jsonb, ${newId("ent")}, ${newId("ent")})`,
    checked: { amount, currency, debitAccountId, creditAccountId },
  };
}

function readAttempt(t: CheckedTransfer, row: Partial<LedgerOutcomeRow> | null): TransferAttempt | null {
  const outcome = row?.ledger_outcome;
  if (!row || outcome === null || outcome === undefined) return null;
  const account = row.ledger_problem_account ?? "(none)";
  const detail = row.ledger_problem_detail ?? "";
  switch (outcome) {
    case "created":
    case "existing":
      return { ok: true, transferId: String(row.ledger_transfer_id), created: outcome === "created" };
    case "account_not_found":
      return { ok: false, refusal: "account_not_found", accountId: account };
    case "currency_mismatch":
      return { ok: false, refusal: "currency_mismatch", accountId: account, expected: t.currency, actual: detail as Currency };
    case "environment_mismatch":
      return { ok: false, refusal: "environment_mismatch", debitAccountId: account, creditAccountId: detail };
    case "insufficient_funds":
      return { ok: false, refusal: "insufficient_funds", accountId: t.debitAccountId, requested: t.amount, currency: t.currency };
    default:
      throw new Error(`ledger_transfer answered ${outcome}`);
  }
}

function assertSameMovement(existing: Transfer, wanted: { amount: Amount; currency: Currency; debitAccountId: string; creditAccountId: string }) {
  const differences: string[] = [];
  if (!amountsEqual(existing.amount, wanted.amount)) differences.push(`amount ${existing.amount}`);
  if (existing.currency !== wanted.currency) differences.push(`currency ${existing.currency}`);
  if (existing.debitAccountId !== wanted.debitAccountId || existing.creditAccountId !== wanted.creditAccountId) {
    differences.push(`accounts ${existing.debitAccountId} → ${existing.creditAccountId}`);
  }
  if (differences.length > 0) {
    throw new LedgerConflictError(existing.kind, existing.reference!, existing.id, differences.join(", "));
  }
}

/** The transfer recorded for (kind, reference), if any. */
export async function findTransferByReference(db: DbOrTx, kind: TransferKind, reference: string): Promise<Transfer | null> {
  const [row] = await db
    .select()
    .from(ledgerTransfers)
    .where(and(eq(ledgerTransfers.kind, kind), eq(ledgerTransfers.reference, reference)))
    .limit(1);
  return row ?? null;
}
