import { and, eq, getTableColumns, sql } from "drizzle-orm";
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
  const amount = parsePositiveAmount(input.amount);
  const currency = parseCurrency(input.currency);
  const reference = input.reference ?? null;
  const { kind, debitAccountId, creditAccountId } = input;
  if (debitAccountId === creditAccountId) throw new InvalidLedgerRequestError("a transfer needs two different accounts");
  if (REFERENCE_REQUIRED_KINDS.has(kind) && !reference) throw new InvalidLedgerRequestError(`${kind} transfers need a reference`);
  if (!input.actor) throw new InvalidLedgerRequestError("a transfer needs an actor");

  const [row] = await db.execute<Record<string, unknown> & { outcome: string; problem_account: string | null; problem_detail: string | null }>(sql`
    select * from ledger_transfer(${newId("trf")}, ${kind}, ${amount}::numeric, ${currency}, ${debitAccountId}, ${creditAccountId},
      ${reference}, ${input.actor}, ${JSON.stringify(input.metadata ?? {})}::jsonb, ${newId("ent")}, ${newId("ent")})`);
  switch (row?.outcome) {
    case "created":
      return { transfer: transferFromRow(row), created: true };
    case "existing": {
      const existing = transferFromRow(row);
      assertSameMovement(existing, { amount, currency, debitAccountId, creditAccountId });
      return { transfer: existing, created: false };
    }
    case "account_not_found":
      throw new AccountNotFoundError(row.problem_account!);
    case "currency_mismatch":
      throw new CurrencyMismatchError(row.problem_account!, currency, row.problem_detail!);
    case "environment_mismatch":
      throw new EnvironmentMismatchError(row.problem_account!, row.problem_detail!);
    case "insufficient_funds":
      throw new InsufficientFundsError(debitAccountId, amount, currency);
    default:
      throw new Error(`ledger_transfer answered ${String(row?.outcome)}`);
  }
}

/** A transfer row as the function returns it, through the schema's own column mappers. */
function transferFromRow(row: Record<string, unknown>): Transfer {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(getTableColumns(ledgerTransfers))) {
    const value = row[column.name];
    out[field] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as Transfer;
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
