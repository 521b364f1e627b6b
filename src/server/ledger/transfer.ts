import { and, eq, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { amountsEqual, parseCurrency, parsePositiveAmount, type Amount, type Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerTransfers, type ledgerTransferKind } from "@/server/db/schema";
import type { LedgerEnvironment } from "./accounts";
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
 * two immutable entries, and both balance projections, in the caller's transaction (as a
 * savepoint) or a new one. A wallet is debited by one guarded UPDATE, so concurrent debits can
 * never overdraw it. With a reference the call is idempotent: a replay returns the first
 * transfer; a replay with another amount, currency or accounts throws LedgerConflictError.
 */
export async function transfer(db: DbOrTx, input: TransferInput): Promise<TransferResult> {
  const amount = parsePositiveAmount(input.amount);
  const currency = parseCurrency(input.currency);
  const reference = input.reference ?? null;
  const { kind, debitAccountId, creditAccountId } = input;
  if (debitAccountId === creditAccountId) throw new InvalidLedgerRequestError("a transfer needs two different accounts");
  if (REFERENCE_REQUIRED_KINDS.has(kind) && !reference) throw new InvalidLedgerRequestError(`${kind} transfers need a reference`);
  if (!input.actor) throw new InvalidLedgerRequestError("a transfer needs an actor");

  return db.transaction(async (tx) => {
    // Lock both accounts in id order (FOR NO KEY UPDATE, taken after the sort), so transfers
    // between the same accounts in opposite directions queue instead of deadlocking.
    const accounts = await tx.execute<{ id: string; currency: string; environment: LedgerEnvironment }>(sql`
      select id, currency, environment from ledger_accounts
      where id in (${debitAccountId}, ${creditAccountId})
      order by id
      for no key update`);
    const debit = accounts.find((a) => a.id === debitAccountId);
    const credit = accounts.find((a) => a.id === creditAccountId);
    if (!debit) throw new AccountNotFoundError(debitAccountId);
    if (!credit) throw new AccountNotFoundError(creditAccountId);
    if (debit.currency !== currency) throw new CurrencyMismatchError(debit.id, currency, debit.currency);
    if (credit.currency !== currency) throw new CurrencyMismatchError(credit.id, currency, credit.currency);
    if (debit.environment !== credit.environment) throw new EnvironmentMismatchError(debit.id, credit.id);

    // A concurrent duplicate (same kind and reference) waits on the unique index until the
    // original commits, then finds it here.
    const [created] = await tx
      .insert(ledgerTransfers)
      .values({
        id: newId("trf"),
        kind,
        amount,
        currency,
        environment: debit.environment,
        debitAccountId,
        creditAccountId,
        reference,
        actor: input.actor,
        metadata: input.metadata ?? {},
      })
      .onConflictDoNothing({ target: [ledgerTransfers.kind, ledgerTransfers.reference], where: sql`reference is not null` })
      .returning();
    if (!created) {
      const existing = await findTransferByReference(tx, kind, reference!);
      assertSameMovement(existing!, { amount, currency, debitAccountId, creditAccountId });
      return { transfer: existing!, created: false };
    }

    // One guarded UPDATE for both sides: the wallet side only matches while its balance covers
    // the amount. Entries are written only when both sides moved.
    const moved = await tx.execute<{ id: string; balance: string }>(sql`
      with moved as (
        update ledger_accounts
        set balance = balance + case when id = ${creditAccountId} then ${amount}::numeric else -${amount}::numeric end,
            updated_at = now()
        where id in (${debitAccountId}, ${creditAccountId})
          and (id = ${creditAccountId} or kind <> 'partner_wallet' or balance >= ${amount}::numeric)
        returning id, balance
      ), entries as (
        insert into ledger_entries (id, transfer_id, account_id, currency, environment, amount, balance_after)
        select case when m.id = ${debitAccountId} then ${newId("ent")} else ${newId("ent")} end,
               ${created.id}, m.id, ${currency}, ${debit.environment},
               case when m.id = ${debitAccountId} then -${amount}::numeric else ${amount}::numeric end,
               m.balance
        from moved m
        where (select count(*) from moved) = 2
        order by m.id = ${creditAccountId}
      )
      select id, balance from moved`);
    if (moved.length !== 2) throw new InsufficientFundsError(debitAccountId, amount, currency);
    return { transfer: created, created: true };
  });
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
