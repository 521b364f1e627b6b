import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { compareAmounts, isNegativeAmount, negateAmount, parseAmount, parseCurrency, parsePositiveAmount, type Amount, type Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { topupRequests } from "@/server/db/schema";
import { getOrCreateWallet, getSystemAccount, type LedgerEnvironment, type SystemAccountKind } from "./accounts";
import { InvalidLedgerRequestError, OrderDebitNotFoundError, RefundExceedsDebitError, TopupNotFoundError, TopupStateError } from "./errors";
import { findTransferByReference, transfer, type Transfer, type TransferInput, type TransferResult } from "./transfer";

export type TopupRequest = typeof topupRequests.$inferSelect;

const SANDBOX_GRANT_AMOUNT = "1000.0000";
const SANDBOX_GRANT_CURRENCY = "USD";

function requireReason(reason: string | undefined | null): string {
  const r = reason?.trim();
  if (!r) throw new InvalidLedgerRequestError("a reason is required");
  return r;
}

/**
 * The partner's wallet and the system account on the other side, in one query when both exist
 * (the common case), creating whichever is missing. Creation commits on its own when called
 * outside a transaction: an empty account left behind by a failed transfer is harmless.
 */
async function walletAndCounterparty(
  db: DbOrTx,
  partnerId: string,
  environment: LedgerEnvironment,
  currency: Currency,
  counterparty: SystemAccountKind,
  shard = 0,
): Promise<{ walletId: string; systemId: string }> {
  parseCurrency(currency);
  const rows = await db.execute<{ id: string; kind: string }>(sql`
    select id, kind from ledger_accounts
    where environment = ${environment} and currency = ${currency}
      and ((kind = 'partner_wallet' and partner_id = ${partnerId}) or (kind = ${counterparty} and shard = ${shard}))`);
  const walletId = rows.find((r) => r.kind === "partner_wallet")?.id ?? (await getOrCreateWallet(db, partnerId, environment, currency)).id;
  const systemId = rows.find((r) => r.kind === counterparty)?.id ?? (await getSystemAccount(db, counterparty, currency, environment, shard)).id;
  return { walletId, systemId };
}

/** Vendor settlement is split over this many accounts per currency (see ledger_accounts.shard). */
export const SETTLEMENT_SHARDS = 8;

/** The settlement shard of an order: a stable hash of its id. */
function settlementShard(orderId: string): number {
  let h = 2166136261;
  for (let i = 0; i < orderId.length; i++) h = Math.imul(h ^ orderId.charCodeAt(i), 16777619);
  return (h >>> 0) % SETTLEMENT_SHARDS;
}

export interface WalletTarget {
  partnerId: string;
  environment?: LedgerEnvironment;
  currency: Currency;
}

export type AdminMovementInput = WalletTarget & { amount: Amount; reason: string; actor: string; reference?: string };

/** Admin funding: external funding → the partner's wallet (default live). Reason mandatory. */
export async function adminCredit(db: DbOrTx, input: AdminMovementInput): Promise<TransferResult> {
  return moveAgainstFunding(db, "admin_credit", input, parsePositiveAmount(input.amount));
}

/**
 * Admin correction in either direction against external funding: a positive amount credits the
 * wallet, a negative one debits it (never below zero). Reason mandatory.
 */
export async function adminAdjust(db: DbOrTx, input: AdminMovementInput): Promise<TransferResult> {
  return moveAgainstFunding(db, "admin_adjustment", input, parseAmount(input.amount, { allowNegative: true, allowZero: false }));
}

async function moveAgainstFunding(db: DbOrTx, kind: "admin_credit" | "admin_adjustment", input: AdminMovementInput, signed: Amount): Promise<TransferResult> {
  const reason = requireReason(input.reason);
  const { walletId, systemId: fundingId } = await walletAndCounterparty(db, input.partnerId, input.environment ?? "live", input.currency, "external_funding");
  const debitWallet = isNegativeAmount(signed);
  return transfer(db, {
    kind,
    amount: debitWallet ? negateAmount(signed) : signed,
    currency: input.currency,
    debitAccountId: debitWallet ? walletId : fundingId,
    creditAccountId: debitWallet ? fundingId : walletId,
    reference: input.reference,
    actor: input.actor,
    metadata: { reason },
  });
}

/** Fake USD 1000.00 from the sandbox mint into the partner's sandbox wallet, once per partner. */
export async function grantSandboxFunds(db: DbOrTx, partnerId: string, opts: { actor?: string } = {}): Promise<TransferResult> {
  const { walletId, systemId: mintId } = await walletAndCounterparty(db, partnerId, "sandbox", SANDBOX_GRANT_CURRENCY, "sandbox_mint");
  return transfer(db, {
    kind: "sandbox_grant",
    amount: SANDBOX_GRANT_AMOUNT,
    currency: SANDBOX_GRANT_CURRENCY,
    debitAccountId: mintId,
    creditAccountId: walletId,
    reference: partnerId,
    actor: opts.actor ?? "system:sandbox_grant",
    metadata: { reason: "sandbox starting balance" },
  });
}

/** A partner asks for funds; nothing moves until an admin approves. */
export async function requestTopup(db: DbOrTx, input: WalletTarget & { amount: Amount; requestedBy: string; note?: string }): Promise<TopupRequest> {
  const [row] = await db
    .insert(topupRequests)
    .values({
      id: newId("top"),
      partnerId: input.partnerId,
      environment: input.environment ?? "live",
      currency: parseCurrency(input.currency),
      amount: parsePositiveAmount(input.amount),
      note: input.note?.trim() || null,
      requestedBy: input.requestedBy,
    })
    .returning();
  return row!;
}

/** Top-up requests, newest first; with partnerId, only that partner's. */
export async function listTopupRequests(
  db: DbOrTx,
  opts: { partnerId?: string; environment?: TopupRequest["environment"]; status?: TopupRequest["status"]; limit?: number } = {},
): Promise<TopupRequest[]> {
  const conditions: SQL[] = [];
  if (opts.partnerId !== undefined) conditions.push(eq(topupRequests.partnerId, opts.partnerId));
  // In the query, before the limit: filtering a page afterwards could hide this environment's requests.
  if (opts.environment !== undefined) conditions.push(eq(topupRequests.environment, opts.environment));
  if (opts.status !== undefined) conditions.push(eq(topupRequests.status, opts.status));
  return db
    .select()
    .from(topupRequests)
    .where(and(...conditions))
    .orderBy(desc(topupRequests.createdAt), desc(topupRequests.id))
    .limit(Math.min(opts.limit ?? 50, 200));
}

async function lockTopup(db: DbOrTx, requestId: string): Promise<TopupRequest> {
  const [row] = await db.select().from(topupRequests).where(eq(topupRequests.id, requestId)).for("update").limit(1);
  if (!row) throw new TopupNotFoundError(requestId);
  return row;
}

/**
 * Approves a pending request: external funding → wallet, referenced by the request id, so the
 * money moves exactly once however many times (or however concurrently) it is approved. Approving
 * an approved request returns it unchanged; approving a rejected one throws TopupStateError.
 */
export async function approveTopup(
  db: DbOrTx,
  input: { requestId: string; actor: string; reason?: string },
): Promise<{ request: TopupRequest; transfer: Transfer; created: boolean }> {
  return db.transaction(async (tx) => {
    // The row lock serialises approvers and rejecters of the same request.
    const request = await lockTopup(tx, input.requestId);
    if (request.status === "approved") {
      const existing = await findTransferByReference(tx, "topup_approval", request.id);
      return { request, transfer: existing!, created: false };
    }
    if (request.status !== "pending") throw new TopupStateError(request.id, request.status, "approve");
    const { walletId, systemId: fundingId } = await walletAndCounterparty(tx, request.partnerId, request.environment, request.currency, "external_funding");
    const moved = await transfer(tx, {
      kind: "topup_approval",
      amount: request.amount,
      currency: request.currency,
      debitAccountId: fundingId,
      creditAccountId: walletId,
      reference: request.id,
      actor: input.actor,
      metadata: { topupRequestId: request.id, ...(input.reason ? { reason: input.reason } : {}) },
    });
    const [updated] = await tx
      .update(topupRequests)
      .set({
        status: "approved",
        transferId: moved.transfer.id,
        decidedBy: input.actor,
        decidedAt: new Date(),
        decisionReason: input.reason?.trim() || null,
      })
      .where(and(eq(topupRequests.id, request.id), eq(topupRequests.status, "pending")))
      .returning();
    if (!updated) throw new TopupStateError(request.id, "no longer pending", "approve");
    return { request: updated, transfer: moved.transfer, created: moved.created };
  });
}

/** Rejects a pending request with a reason; nothing moves. Rejecting twice is harmless. */
export async function rejectTopup(db: DbOrTx, input: { requestId: string; actor: string; reason: string }): Promise<TopupRequest> {
  const reason = requireReason(input.reason);
  return db.transaction(async (tx) => {
    const request = await lockTopup(tx, input.requestId);
    if (request.status === "rejected") return request;
    if (request.status !== "pending") throw new TopupStateError(request.id, request.status, "reject");
    const [updated] = await tx
      .update(topupRequests)
      .set({ status: "rejected", decidedBy: input.actor, decidedAt: new Date(), decisionReason: reason })
      .where(and(eq(topupRequests.id, request.id), eq(topupRequests.status, "pending")))
      .returning();
    return updated!;
  });
}

/** What paying for an order moves: the partner's wallet → a vendor settlement shard, once per order id. */
export async function orderDebitTransfer(
  db: DbOrTx,
  input: WalletTarget & { environment: LedgerEnvironment; amount: Amount; orderId: string; actor?: string },
): Promise<TransferInput> {
  const { walletId, systemId: settlementId } = await walletAndCounterparty(
    db,
    input.partnerId,
    input.environment,
    input.currency,
    "vendor_settlement",
    settlementShard(input.orderId),
  );
  return {
    kind: "order_debit",
    amount: parsePositiveAmount(input.amount),
    currency: input.currency,
    debitAccountId: walletId,
    creditAccountId: settlementId,
    reference: input.orderId,
    actor: input.actor ?? "system:orders",
    metadata: { orderId: input.orderId },
  };
}

/**
 * Pays for an order from the partner's wallet (→ vendor settlement), once per order id.
 * Throws InsufficientFundsError when the wallet cannot cover it. (`createOrder` makes the same
 * transfer part of the statement that inserts the order.)
 */
export async function debitForOrder(
  db: DbOrTx,
  input: WalletTarget & { environment: LedgerEnvironment; amount: Amount; orderId: string; actor?: string },
): Promise<TransferResult> {
  return transfer(db, await orderDebitTransfer(db, input));
}

/**
 * Gives an order's money back to the wallet it came from: at most once per order and never
 * more than was debited (default: all of it). A replay with the same amount returns the first
 * refund; with another amount it throws LedgerConflictError.
 */
export async function refundOrder(db: DbOrTx, input: { orderId: string; amount?: Amount; actor?: string; reason?: string }): Promise<TransferResult> {
  const debit = await findTransferByReference(db, "order_debit", input.orderId);
  if (!debit) throw new OrderDebitNotFoundError(input.orderId);
  const amount = input.amount === undefined ? debit.amount : parsePositiveAmount(input.amount);
  if (compareAmounts(amount, debit.amount) > 0) throw new RefundExceedsDebitError(input.orderId, amount, debit.amount);
  return transfer(db, {
    kind: "order_refund",
    amount,
    currency: debit.currency,
    debitAccountId: debit.creditAccountId,
    creditAccountId: debit.debitAccountId,
    reference: input.orderId,
    actor: input.actor ?? "system:orders",
    metadata: { orderId: input.orderId, debitTransferId: debit.id, ...(input.reason ? { reason: input.reason } : {}) },
  });
}
