import { DomainError } from "@/lib/errors";
import type { Amount, Currency } from "@/lib/money";

export type LedgerErrorCode =
  | "insufficient_funds"
  | "currency_mismatch"
  | "environment_mismatch"
  | "ledger_conflict"
  | "account_not_found"
  | "order_debit_not_found"
  | "refund_exceeds_debit"
  | "topup_not_found"
  | "topup_invalid_state"
  | "invalid_ledger_request";

/** Base class of every error the ledger throws on purpose (codes and kinds: src/lib/errors.ts). */
export abstract class LedgerError<C extends LedgerErrorCode = LedgerErrorCode> extends DomainError<C> {}

/** Its message is the one partners see (the account and amount are fields, for logs). */
export class InsufficientFundsError extends LedgerError<"insufficient_funds"> {
  constructor(
    readonly accountId: string,
    readonly requested: Amount,
    readonly currency: Currency,
  ) {
    super("insufficient_funds", `Your ${currency} wallet balance is too low for this order. Top up your wallet and try again.`);
    this.name = "InsufficientFundsError";
  }
}

export class CurrencyMismatchError extends LedgerError<"currency_mismatch"> {
  constructor(
    readonly accountId: string,
    readonly expected: Currency,
    readonly actual: Currency,
  ) {
    super("currency_mismatch", `account ${accountId} holds ${actual}, not ${expected}`);
    this.name = "CurrencyMismatchError";
  }
}

export class EnvironmentMismatchError extends LedgerError<"environment_mismatch"> {
  constructor(
    readonly debitAccountId: string,
    readonly creditAccountId: string,
  ) {
    super("environment_mismatch", `accounts ${debitAccountId} and ${creditAccountId} belong to different environments`);
    this.name = "EnvironmentMismatchError";
  }
}

/** The same (kind, reference) was already used for a different movement. */
export class LedgerConflictError extends LedgerError<"ledger_conflict"> {
  constructor(
    readonly transferKind: string,
    readonly reference: string,
    readonly existingTransferId: string,
    detail: string,
  ) {
    super("ledger_conflict", `${transferKind} ${reference} already exists as ${existingTransferId} with ${detail}`);
    this.name = "LedgerConflictError";
  }
}

export class AccountNotFoundError extends LedgerError<"account_not_found"> {
  constructor(readonly accountId: string) {
    super("account_not_found", `ledger account ${accountId} not found`);
    this.name = "AccountNotFoundError";
  }
}

export class OrderDebitNotFoundError extends LedgerError<"order_debit_not_found"> {
  constructor(readonly orderId: string) {
    super("order_debit_not_found", `no wallet debit recorded for order ${orderId}`);
    this.name = "OrderDebitNotFoundError";
  }
}

export class RefundExceedsDebitError extends LedgerError<"refund_exceeds_debit"> {
  constructor(
    readonly orderId: string,
    readonly requested: Amount,
    readonly debited: Amount,
  ) {
    super("refund_exceeds_debit", `refund of ${requested} for order ${orderId} exceeds the ${debited} debited`);
    this.name = "RefundExceedsDebitError";
  }
}

export class TopupNotFoundError extends LedgerError<"topup_not_found"> {
  constructor(readonly requestId: string) {
    super("topup_not_found", `top-up request ${requestId} not found`);
    this.name = "TopupNotFoundError";
  }
}

export class TopupStateError extends LedgerError<"topup_invalid_state"> {
  constructor(
    readonly requestId: string,
    readonly status: string,
    readonly attempted: "approve" | "reject",
  ) {
    super("topup_invalid_state", `cannot ${attempted} top-up request ${requestId}: it is ${status}`);
    this.name = "TopupStateError";
  }
}

/** Caller error: missing reason, unknown cursor, same account on both sides… */
export class InvalidLedgerRequestError extends LedgerError<"invalid_ledger_request"> {
  constructor(message: string) {
    super("invalid_ledger_request", message);
    this.name = "InvalidLedgerRequestError";
  }
}
