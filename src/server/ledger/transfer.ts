import { and, eq, sql, type SQL } from "drizzle-orm";
import { rowFromDriver } from "@/server/db/rows";
import { newId } from "@/lib/ids";
import { amountsEqual, parseCurrency, parsePositiveAmount, type Amount, type Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerTransfers, type ledgerTransferKind } from "@/server/db/schema";
import {
  AccountNotFoundError,
  CurrencyMismatchError,
  EnvironmentMismatchError,
  InsufficientFundsError,
  InvalidLedgerRequestError,
  LedgerConflictError,
} from "./errors";

export type TransferKind = (typeof ledgerTransferKind.enumValues)[number];
export type Transfer = typeof ledgerTransfers.$inferSelect;

/** Kinds that must carry a reference: each business event moves money at most once. */
export const REFERENCE_REQUIRED_KINDS: ReadonlySet<TransferKind> = new Set([
  "order_debit",
  "order_refund",
  "topup_approval",
  "sandbox_grant",
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
 * accounts throws LedgerConflictError.
 */
export async function transfer(db: DbOrTx, input: TransferInput): Promise<TransferResult> {
  const call = transferCall(input);
  const [row] = await db.execute<Record<string, unknown> & TransferOutcome>(sql`select * from ${call.sql}`);
  if (row?.outcome === "created") return { transfer: rowFromDriver(ledgerTransfers, row), created: true };
  if (row?.outcome === "existing") {
    const existing = rowFromDriver(ledgerTransfers, row);
    assertSameMovement(existing, call.checked);
    return { transfer: existing, created: false };
  }
  throw refusal(call.checked, row ?? { outcome: "none", problem_account: null, problem_detail: null });
}

/** What `ledger_transfer` says besides the transfer row. */
export interface TransferOutcome {
  outcome: string;
  problem_account: string | null;
  problem_detail: string | null;
}

interface CheckedTransfer {
  amount: Amount;
  currency: Currency;
  debitAccountId: string;
  creditAccountId: string;
}

/**
 * A transfer as the SQL call `ledger_transfer(…)` (a set-returning function: one row, the
 * outcome then the transfer's columns), for `transfer()` and for statements that make a transfer
 * part of a larger write. Validates the input first.
 */
export function transferCall(input: TransferInput): { sql: SQL; checked: CheckedTransfer } {
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

/** The typed error for a refused transfer. */
export function refusal(t: CheckedTransfer, r: TransferOutcome): Error {
  switch (r.outcome) {
    case "account_not_found":
      return new AccountNotFoundError(r.problem_account ?? "(none)");
    case "currency_mismatch":
      return new CurrencyMismatchError(r.problem_account!, t.currency, r.problem_detail!);
    case "environment_mismatch":
      return new EnvironmentMismatchError(r.problem_account!, r.problem_detail!);
    case "insufficient_funds":
      return new InsufficientFundsError(t.debitAccountId, t.amount, t.currency);
    default:
      return new Error(`ledger_transfer answered ${r.outcome}`);
  }
}

/**
 * In a statement that selects from `ledger_transfer` as `alias`: an expression that raises
 * unless the transfer was created, so the whole statement rolls back (see drizzle/0012).
 */
export const requireCreated = (alias: string) =>
  sql.raw(`ledger_require_created(${alias}.outcome, ${alias}.problem_account, ${alias}.problem_detail)`);

/** The refusal behind an error raised by `requireCreated`, or null for any other error. */
export function refusalFromError(t: CheckedTransfer, error: unknown): Error | null {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const pg = e as { code?: string; message?: string; detail?: string; hint?: string };
    if (pg.code === "P0001" && pg.message?.startsWith("ledger transfer refused")) {
      const [account, detail] = (pg.hint ?? "").split("|");
      return refusal(t, { outcome: pg.detail ?? "", problem_account: account || null, problem_detail: detail || null });
    }
  }
  return null;
}

function assertSameMovement(
  existing: Transfer,
  wanted: { amount: Amount; currency: Currency; debitAccountId: string; creditAccountId: string },
) {
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
