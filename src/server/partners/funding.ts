import { recordAudit } from "@/server/audit";
import { eq } from "drizzle-orm";
import { requestEmail } from "@/server/email";
import { partners } from "@/server/db/schema";
import type { Db } from "@/server/db/client";
import { adminCredit, approveTopup, rejectTopup } from "@/server/ledger";
import { emitTopupApproved } from "@/server/webhooks/sources";
import { recordMilestone } from "./activation";

/**
 * Admin decisions on wallet funding, each with its audit entry in the same transaction; an
 * approved top-up also notifies the partner's webhooks (`topup.approved`) and emails its contact, once.
 */
export async function approvePartnerTopup(db: Db, input: { requestId: string; actor: string; reason?: string }) {
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
      await recordAudit(tx, {
        actor: input.actor,
        partnerId: result.request.partnerId,
        action: "topup.approved",
        targetType: "topup_request",
        targetId: result.request.id,
        metadata: { amount: result.request.amount, currency: result.request.currency },
      });
    }
    return result.request;
  });
}

export async function rejectPartnerTopup(db: Db, input: { requestId: string; actor: string; reason: string }) {
  return db.transaction(async (tx) => {
    const request = await rejectTopup(tx, input);
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: request.partnerId,
      action: "topup.rejected",
      targetType: "topup_request",
      targetId: request.id,
      metadata: { reason: input.reason },
    });
    return request;
  });
}

export async function creditPartnerWallet(
  db: Db,
  input: { partnerId: string; environment: "sandbox" | "live"; currency: string; amount: string; reason: string; actor: string },
) {
  return db.transaction(async (tx) => {
    const result = await adminCredit(tx, input);
    if (input.environment === "live") await recordMilestone(tx, input.partnerId, "first_live_funding");
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "wallet.credited",
      targetType: "ledger_transfer",
      targetId: result.transfer.id,
      metadata: { amount: result.transfer.amount, currency: result.transfer.currency, environment: input.environment, reason: input.reason },
    });
    return result.transfer;
  });
}
