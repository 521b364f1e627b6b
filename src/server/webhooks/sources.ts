import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { compareAmounts } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { pgArray } from "@/server/db/rows";
import { lowBalanceAlerts, lowBalanceThresholds, orders, partnerSettings, type topupRequests } from "@/server/db/schema";
import { findWallet } from "@/server/ledger";
import { emitPartnerEvent, emitPartnerEvents } from "./emit";
import type { WebhookEnvironment } from "./types";
import { requestLowBalanceEmail } from "@/server/email";

const DEFAULT_LOW_BALANCE_THRESHOLD = "100.0000";

/** A wallet, as the low-balance check names it. */
export interface LowBalanceWallet {
  partnerId: string;
  environment: WebhookEnvironment;
  currency: string;
}

/**
 * Emits `order.completed` or `order.failed` for each finished order of `orderIds` (once per order:
 * the event's idempotency key is the order's; an order still open is skipped). The payload is
 * thin: ids, status, counts and amounts, never card codes. Returns the events and the wallets of
 * the completed orders, each once, for the low-balance check.
 */
export async function emitOrderEvents(db: DbOrTx, orderIds: readonly string[]) {
  const rows = orderIds.length
    ? await db
        .select()
        .from(orders)
        .where(inArray(orders.id, [...orderIds]))
        .orderBy(asc(orders.createdAt), asc(orders.id))
    : [];
  const finished = rows.filter((o) => o.status === "completed" || o.status === "failed");
  const events = await emitPartnerEvents(
    db,
    finished.map((order) => {
      const type = order.status === "completed" ? ("order.completed" as const) : ("order.failed" as const);
      return {
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
      };
    }),
  );
  const emitted = events.map((e) => e.event.id);
  const wallets = new Map<string, LowBalanceWallet>();
  for (const order of finished) {
    if (order.status === "completed") {
      wallets.set(`${order.partnerId}|${order.environment}|${order.currency}`, {
        partnerId: order.partnerId,
        environment: order.environment,
        currency: order.currency,
      });
    }
  }
  return { emitted, wallets: [...wallets.values()] };
}

/**
 * The low-balance threshold of a wallet: its own (low_balance_thresholds, per environment and
 * currency) if set, else the partner's default (partner_settings), else 100. Without a wallet,
 * the partner's default.
 */
async function getLowBalanceThreshold(db: DbOrTx, partnerId: string, wallet?: { environment: WebhookEnvironment; currency: string }): Promise<string> {
  if (wallet) {
    const [own] = await db
      .select({ t: lowBalanceThresholds.threshold })
      .from(lowBalanceThresholds)
      .where(
        and(
          eq(lowBalanceThresholds.partnerId, partnerId),
          eq(lowBalanceThresholds.environment, wallet.environment),
          eq(lowBalanceThresholds.currency, wallet.currency),
        ),
      );
    if (own) return own.t;
  }
  const [row] = await db.select({ t: partnerSettings.lowBalanceThreshold }).from(partnerSettings).where(eq(partnerSettings.partnerId, partnerId));
  return row?.t ?? DEFAULT_LOW_BALANCE_THRESHOLD;
}

/** Every wallet's own threshold of a partner in one environment (currency → threshold), plus the default. */
export async function listLowBalanceThresholds(db: DbOrTx, partnerId: string, environment: WebhookEnvironment) {
  const [own, fallback] = await Promise.all([
    db
      .select({ currency: lowBalanceThresholds.currency, threshold: lowBalanceThresholds.threshold })
      .from(lowBalanceThresholds)
      .where(and(eq(lowBalanceThresholds.partnerId, partnerId), eq(lowBalanceThresholds.environment, environment))),
    getLowBalanceThreshold(db, partnerId),
  ]);
  return { fallback, byCurrency: Object.fromEntries(own.map((r) => [r.currency, r.threshold])) as Record<string, string> };
}

/** Sets the partner's default low-balance threshold (a decimal string, for every wallet without its own). */
export async function setLowBalanceThreshold(db: DbOrTx, partnerId: string, threshold: string): Promise<void> {
  await db
    .insert(partnerSettings)
    .values({ partnerId, lowBalanceThreshold: threshold })
    .onConflictDoUpdate({ target: partnerSettings.partnerId, set: { lowBalanceThreshold: threshold, updatedAt: new Date() } });
}

/** Sets one wallet's own threshold (environment, currency); null removes it (back to the default). */
export async function setWalletLowBalanceThreshold(
  db: DbOrTx,
  input: { partnerId: string; environment: WebhookEnvironment; currency: string; threshold: string | null },
): Promise<void> {
  const key = { partnerId: input.partnerId, environment: input.environment, currency: input.currency };
  if (input.threshold === null) {
    await db
      .delete(lowBalanceThresholds)
      .where(
        and(
          eq(lowBalanceThresholds.partnerId, key.partnerId),
          eq(lowBalanceThresholds.environment, key.environment),
          eq(lowBalanceThresholds.currency, key.currency),
        ),
      );
    return;
  }
  await db
    .insert(lowBalanceThresholds)
    .values({ ...key, threshold: input.threshold })
    .onConflictDoUpdate({
      target: [lowBalanceThresholds.partnerId, lowBalanceThresholds.environment, lowBalanceThresholds.currency],
      set: { threshold: input.threshold, updatedAt: new Date() },
    });
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
    const threshold = await getLowBalanceThreshold(tx, input.partnerId, { environment: input.environment, currency: input.currency });
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
 * `checkLowBalance` for many wallets (a batch settlement's), in one statement for the usual case:
 * each wallet's balance against its threshold, the alert of every wallet at or above it forgotten
 * (the condition is evaluated in the delete itself). Only a wallet below its threshold with no
 * alert yet takes `checkLowBalance`'s own path, which records the alert once and emits the event.
 */
export async function checkLowBalances(db: DbOrTx, wallets: readonly LowBalanceWallet[]): Promise<{ eventIds: string[] }> {
  if (wallets.length === 0) return { eventIds: [] };
  const rows = await db.execute<{ partner_id: string; environment: WebhookEnvironment; currency: string }>(sql`
    with w (partner_id, environment, currency) as (
      select * from unnest(
        ${pgArray(wallets.map((x) => x.partnerId))}::text[],
        ${pgArray(wallets.map((x) => x.environment))}::text[],
        ${pgArray(wallets.map((x) => x.currency))}::text[])),
    s as (
      select w.partner_id, w.environment, w.currency, a.balance,
        coalesce(t.threshold, ps.low_balance_threshold, ${DEFAULT_LOW_BALANCE_THRESHOLD}::numeric) as threshold
      from w
      join ledger_accounts a on a.kind = 'partner_wallet' and a.partner_id = w.partner_id
        and a.environment::text = w.environment and a.currency::text = w.currency
      left join ${lowBalanceThresholds} t on t.partner_id = w.partner_id and t.environment::text = w.environment and t.currency::text = w.currency
      left join ${partnerSettings} ps on ps.partner_id = w.partner_id),
    forgotten as (
      delete from ${lowBalanceAlerts} l using s
      where l.partner_id = s.partner_id and l.environment::text = s.environment and l.currency::text = s.currency
        and s.balance >= s.threshold)
    select s.partner_id, s.environment, s.currency from s
    where s.balance < s.threshold
      and not exists (select 1 from ${lowBalanceAlerts} l
        where l.partner_id = s.partner_id and l.environment::text = s.environment and l.currency::text = s.currency)`);
  const eventIds: string[] = [];
  for (const r of rows) {
    const { eventId } = await checkLowBalance(db, { partnerId: r.partner_id, environment: r.environment, currency: r.currency });
    if (eventId) eventIds.push(eventId);
  }
  return { eventIds };
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
