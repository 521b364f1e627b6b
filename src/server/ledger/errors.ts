import type { Amount, Currency } from "@/lib/money";

/** Base class of every error the ledger throws on purpose; `code` is stable for API mapping. */
export abstract class LedgerError extends Error {
  abstract readonly code: string;
}

export class InsufficientFundsError extends LedgerError {
  readonly code = "insufficient_funds";
  constructor(
    readonly accountId: string,
    readonly requested: Amount,
    readonly currency: Currency,
  ) {
    super(`account ${accountId} has insufficient funds for ${currency} ${requested}`);
    this.name = "InsufficientFundsError";
  }
}

export class CurrencyMismatchError extends LedgerError {
  readonly code = "currency_mismatch";
  constructor(
    readonly accountId: string,
    readonly expected: Currency,
    readonly actual: Currency,
  ) {
    super(`account ${accountId} holds ${actual}, not ${expected}`);
    this.name = "CurrencyMismatchError";
  }
}

export class EnvironmentMismatchError extends LedgerError {
  readonly code = "environment_mismatch";
  constructor(readonly debitAccountId: string, readonly creditAccountId: string) {
    super(`accounts ${debitAccountId} and ${creditAccountId} belong to different environments`);
    this.name = "EnvironmentMismatchError";
  }
}

/** The same (kind, reference) was already used for a different movement. */
export class LedgerConflictError extends LedgerError {
  readonly code = "ledger_conflict";
  constructor(
    readonly kind: string,
    readonly reference: string,
    readonly existingTransferId: string,
    detail: string,
  ) {
    super(`${kind} ${reference} already exists as ${existingTransferId} with ${detail}`);
    this.name = "LedgerConflictError";
  }
}

export class AccountNotFoundError extends LedgerError {
  readonly code = "account_not_found";
  constructor(readonly accountId: string) {
    super(`ledger account ${accountId} not found`);
    this.name = "AccountNotFoundError";
  }
}

export class OrderDebitNotFoundError extends LedgerError {
  readonly code = "order_debit_not_found";
  constructor(readonly orderId: string) {
    super(`no wallet debit recorded for order ${orderId}`);
    this.name = "OrderDebitNotFoundError";
  }
}

export class RefundExceedsDebitError extends LedgerError {
  readonly code = "refund_exceeds_debit";
  constructor(
    readonly orderId: string,
    readonly requested: Amount,
    readonly debited: Amount,
  ) {
    super(`refund of ${requested} for order ${orderId} exceeds the ${debited} debited`);
    this.name = "RefundExceedsDebitError";
  }
}

export class TopupNotFoundError extends LedgerError {
  readonly code = "topup_not_found";
  constructor(readonly requestId: string) {
    super(`top-up request ${requestId} not found`);
    this.name = "TopupNotFoundError";
  }
}

export class TopupStateError extends LedgerError {
  readonly code = "topup_invalid_state";
  constructor(
    readonly requestId: string,
    readonly status: string,
    readonly attempted: "approve" | "reject",
  ) {
    super(`cannot ${attempted} top-up request ${requestId}: it is ${status}`);
    this.name = "TopupStateError";
  }
}

/** Caller error: missing reason, unknown cursor, same account on both sides… */
export class InvalidLedgerRequestError extends LedgerError {
  readonly code = "invalid_ledger_request";
  constructor(message: string) {
    super(message);
    this.name = "InvalidLedgerRequestError";
  }
}
