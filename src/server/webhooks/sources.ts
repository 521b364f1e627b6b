import { and, eq } from "drizzle-orm";
import { compareAmounts } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { lowBalanceAlerts, orders, partnerSettings, type topupRequests } from "@/server/db/schema";
import { findWallet } from "@/server/ledger";
import { emitPartnerEvent } from "./emit";
import type { WebhookEnvironment } from "./types";
import { requestLowBalanceEmail } from "@/server/email";

const DEFAULT_LOW_BALANCE_THRESHOLD = "100.0000";

/**
 * Emits `order.completed` or `order.failed` for a finished order (once per order). The payload
 * is thin: ids, status, counts and amounts, never card codes. Returns what the wallet check needs.
 */
export async function emitOrderEvent(db: DbOrTx, orderId: string) {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order || (order.status !== "completed" && order.status !== "failed")) return { emitted: null, order: null };
  const type = order.status === "completed" ? ("order.completed" as const) : ("order.failed" as const);
  const { event } = await emitPartnerEvent(db, {
    partnerId: order.partnerId,
    environment: order.environment,
    type,
    idempotencyKey: `${type}:${order.id}`,
    data: {
      orderId: order.id,
      status: order.status,
      referenceId: order.referenceId,
      sku: order.sku,
      quantity: order.quantity,
      cardsDelivered: order.cardsDelivered,
      totalPrice: order.totalPrice,
      refundedAmount: order.refundedAmount,
      currency: order.currency,
      ...(order.status === "failed" ? { failureCode: order.failureCode } : {}),
    },
  });
  return {
    emitted: event.id,
    order: { partnerId: order.partnerId, environment: order.environment, currency: order.currency, status: order.status },
  };
}

export async function getLowBalanceThreshold(db: DbOrTx, partnerId: string): Promise<string> {
  const [row] = await db.select({ t: partnerSettings.lowBalanceThreshold }).from(partnerSettings).where(eq(partnerSettings.partnerId, partnerId));
  return row?.t ?? DEFAULT_LOW_BALANCE_THRESHOLD;
}

/** Sets the partner's low-balance threshold (a decimal string, applies to every wallet currency). */
export async function setLowBalanceThreshold(db: DbOrTx, partnerId: string, threshold: string): Promise<void> {
  await db
    .insert(partnerSettings)
    .values({ partnerId, lowBalanceThreshold: threshold })
    .onConflictDoUpdate({ target: partnerSettings.partnerId, set: { lowBalanceThreshold: threshold, updatedAt: new Date() } });
}

/**
 * Compares a wallet with the partner's threshold. Below it and not alerted yet: records the alert
 * and emits `wallet.low_balance`, once per crossing. At or above it: forgets the alert, so the
 * next crossing alerts again. Concurrent checks alert once (the alert row is the guard).
 */
export async function checkLowBalance(
  db: DbOrTx,
  input: { partnerId: string; environment: WebhookEnvironment; currency: string },
): Promise<{ below: boolean; eventId: string | null }> {
  return db.transaction(async (tx) => {
    const wallet = await findWallet(tx, input.partnerId, input.environment, input.currency);
    if (!wallet) return { below: false, eventId: null };
    const threshold = await getLowBalanceThreshold(tx, input.partnerId);
    const where = and(
      eq(lowBalanceAlerts.partnerId, input.partnerId),
      eq(lowBalanceAlerts.environment, input.environment),
      eq(lowBalanceAlerts.currency, input.currency),
    );
    if (compareAmounts(wallet.balance, threshold) >= 0) {
      await tx.delete(lowBalanceAlerts).where(where);
      return { below: false, eventId: null };
    }
    const [alert] = await tx
      .insert(lowBalanceAlerts)
      .values({ ...input, balance: wallet.balance, threshold })
      .onConflictDoNothing()
      .returning();
    if (!alert) return { below: true, eventId: null };
    const { event } = await emitPartnerEvent(tx, {
      partnerId: input.partnerId,
      environment: input.environment,
      type: "wallet.low_balance",
      data: { currency: input.currency, balance: wallet.balance, threshold },
    });
    await tx.update(lowBalanceAlerts).set({ eventId: event.id }).where(where);
    await requestLowBalanceEmail(tx, { ...input, balance: wallet.balance, threshold, alertKey: event.id });
    return { below: true, eventId: event.id };
  });
}

/**
 * Emits `topup.approved` for an approved top-up request (once per request) and re-arms the
 * low-balance alert of that wallet. Call it in the approving transaction.
 */
export async function emitTopupApproved(db: DbOrTx, topup: typeof topupRequests.$inferSelect): Promise<{ eventId: string }> {
  const { event } = await emitPartnerEvent(db, {
    partnerId: topup.partnerId,
    environment: topup.environment,
    type: "topup.approved",
    idempotencyKey: `topup.approved:${topup.id}`,
    data: { topupId: topup.id, status: "approved", amount: topup.amount, currency: topup.currency },
  });
  await checkLowBalance(db, { partnerId: topup.partnerId, environment: topup.environment, currency: topup.currency });
  return { eventId: event.id };
}
