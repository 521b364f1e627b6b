import { and, eq } from "drizzle-orm";
import { recordAudit } from "@/server/audit";
import { requestEmail } from "@/server/email";
import { isNegativeAmount, normalizeAmount, subAmounts } from "@/lib/money";
import { ledgerAccounts, ledgerEntries, partners, topupRequests } from "@/server/db/schema";
import type { Db, DbOrTx } from "@/server/db/client";
import { adminAdjust, adminCredit, approveTopup, rejectTopup, type Transfer } from "@/server/ledger";
import { emitTopupApproved } from "@/server/webhooks/sources";
import { recordMilestone } from "./activation";

/** Who decided, from where (the acting request's client IP, for the audit entry). */
interface AdminActor {
  actor: string;
  ip?: string | null;
}

/**
 * Admin decisions on wallet funding, each with its audit entry in the same transaction; an
 * approved top-up also notifies the partner's webhooks (`topup.approved`) and emails its contact, once.
 */
export async function approvePartnerTopup(db: Db, input: AdminActor & { requestId: string; reason?: string }) {
  return db.transaction(async (tx) => {
    const result = await approveTopup(tx, input);
    if (result.created) {
      await emitTopupApproved(tx, result.request);
      if (result.request.environment === "live") await recordMilestone(tx, result.request.partnerId, "first_live_funding");
      const [partner] = await tx.select({ contactEmail: partners.contactEmail }).from(partners).where(eq(partners.id, result.request.partnerId));
      if (partner?.contactEmail) {
        await requestEmail(tx, {
          to: partner.contactEmail,
          partnerId: result.request.partnerId,
          template: "topup_approved",
          params: { amount: result.request.amount, currency: result.request.currency, requestId: result.request.id },
          key: `topup_approved:${result.request.id}`,
        });
      }
      const wallet = await walletMove(tx, result.transfer, result.request.partnerId);
      await recordAudit(tx, {
        actor: input.actor,
        partnerId: result.request.partnerId,
        action: "topup.approved",
        targetType: "topup_request",
        targetId: result.request.id,
        metadata: { amount: result.request.amount, currency: result.request.currency, environment: result.request.environment, transferId: result.transfer.id },
        reason: input.reason?.trim() || null,
        before: { status: "pending", balance: wallet.before },
        after: { status: "approved", balance: wallet.after },
        ip: input.ip ?? null,
      });
    }
    return result.request;
  });
}

export async function rejectPartnerTopup(db: Db, input: AdminActor & { requestId: string; reason: string }) {
  return db.transaction(async (tx) => {
    // Locked first so a second rejection (harmless, nothing changes) records nothing either.
    const [current] = await tx.select({ status: topupRequests.status }).from(topupRequests).where(eq(topupRequests.id, input.requestId)).for("update");
    const request = await rejectTopup(tx, input);
    if (current?.status === "rejected") return request;
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: request.partnerId,
      action: "topup.rejected",
      targetType: "topup_request",
      targetId: request.id,
      metadata: { amount: request.amount, currency: request.currency, environment: request.environment },
      reason: input.reason.trim(),
      before: { status: "pending" },
      after: { status: "rejected" },
      ip: input.ip ?? null,
    });
    return request;
  });
}

/** The wallet's balance before and after a transfer, read from the wallet's own entry of it (exact, no extra lock). */
async function walletMove(tx: DbOrTx, transfer: Transfer, partnerId: string) {
  const [entry] = await tx
    .select({ amount: ledgerEntries.amount, balanceAfter: ledgerEntries.balanceAfter })
    .from(ledgerEntries)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(and(eq(ledgerEntries.transferId, transfer.id), eq(ledgerAccounts.kind, "partner_wallet"), eq(ledgerAccounts.partnerId, partnerId)))
    .limit(1);
  if (!entry) throw new Error(`transfer ${transfer.id} has no entry on a wallet of ${partnerId}`);
  return { before: subAmounts(entry.balanceAfter, entry.amount), after: entry.balanceAfter };
}

type WalletMovementInput = AdminActor & { partnerId: string; environment: "sandbox" | "live"; currency: string; amount: string; reason: string };

/**
 * Admin credit (external funding → the wallet) or adjustment (either way; a negative amount
 * debits, never below zero: refused `insufficient_funds` and nothing written). The reason is
 * mandatory; the audit entry (balance before and after, reason, IP) is written in the same
 * transaction, so a refused movement leaves no entry.
 */
async function moveWallet(db: Db, kind: "credit" | "adjustment", input: WalletMovementInput) {
  return db.transaction(async (tx) => {
    const result = await (kind === "credit" ? adminCredit : adminAdjust)(tx, input);
    if (input.environment === "live" && !isNegativeAmount(input.amount)) await recordMilestone(tx, input.partnerId, "first_live_funding");
    const wallet = await walletMove(tx, result.transfer, input.partnerId);
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: kind === "credit" ? "wallet.credited" : "wallet.adjusted",
      targetType: "ledger_transfer",
      targetId: result.transfer.id,
      metadata: { amount: normalizeAmount(input.amount), currency: result.transfer.currency, environment: input.environment },
      reason: input.reason.trim(),
      before: { balance: wallet.before },
      after: { balance: wallet.after },
      ip: input.ip ?? null,
    });
    return { transfer: result.transfer, balanceBefore: wallet.before, balanceAfter: wallet.after };
  });
}

export const creditPartnerWallet = (db: Db, input: WalletMovementInput) => moveWallet(db, "credit", input);

export const adjustPartnerWallet = (db: Db, input: WalletMovementInput) => moveWallet(db, "adjustment", input);
