import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { pgArray } from "@/server/db/rows";
import { lowBalanceAlerts, lowBalanceThresholds, orders, partnerSettings, type topupRequests } from "@/server/db/schema";
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

/** The partner's default low-balance threshold (partner_settings), else 100: for every wallet without its own. */
async function partnerDefaultThreshold(db: DbOrTx, partnerId: string): Promise<string> {
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
    partnerDefaultThreshold(db, partnerId),
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

interface WalletStanding extends LowBalanceWallet {
  balance: string;
  threshold: string;
  below: boolean;
  /** Its alert of the present crossing is recorded already. */
  alerted: boolean;
}

/**
 * Each wallet's balance against its low-balance threshold (its own, per environment and currency,
 * if set; else the partner's default; else 100), in one statement that also forgets the alert of
 * every wallet at or above its threshold (the condition is evaluated in the delete itself), so that
 * the next crossing alerts again. A wallet that does not exist is left out.
 */
async function walletStandings(db: DbOrTx, wallets: readonly LowBalanceWallet[]): Promise<WalletStanding[]> {
  const rows = await db.execute<{
    partner_id: string;
    environment: WebhookEnvironment;
    currency: string;
    balance: string;
    threshold: string;
    below: boolean;
    alerted: boolean;
  }>(sql`
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
    select s.partner_id, s.environment, s.currency, s.balance::text as balance, s.threshold::text as threshold,
      s.balance < s.threshold as below,
      exists (select 1 from ${lowBalanceAlerts} l
        where l.partner_id = s.partner_id and l.environment::text = s.environment and l.currency::text = s.currency) as alerted
    from s`);
  return rows.map((r) => ({
    partnerId: r.partner_id,
    environment: r.environment,
    currency: r.currency,
    balance: r.balance,
    threshold: r.threshold,
    below: r.below,
    alerted: r.alerted,
  }));
}

/**
 * A wallet below its threshold with no alert yet: records the alert and emits `wallet.low_balance`
 * (and its email). The alert row is the guard: a concurrent check that loses its insert emits
 * nothing (null).
 */
async function alertOnce(db: DbOrTx, s: WalletStanding): Promise<string | null> {
  return db.transaction(async (tx) => {
    const wallet = { partnerId: s.partnerId, environment: s.environment, currency: s.currency };
    const [alert] = await tx
      .insert(lowBalanceAlerts)
      .values({ ...wallet, balance: s.balance, threshold: s.threshold })
      .onConflictDoNothing()
      .returning();
    if (!alert) return null;
    const { event } = await emitPartnerEvent(tx, {
      partnerId: s.partnerId,
      environment: s.environment,
      type: "wallet.low_balance",
      data: { currency: s.currency, balance: s.balance, threshold: s.threshold },
    });
    await tx
      .update(lowBalanceAlerts)
      .set({ eventId: event.id })
      .where(and(eq(lowBalanceAlerts.partnerId, s.partnerId), eq(lowBalanceAlerts.environment, s.environment), eq(lowBalanceAlerts.currency, s.currency)));
    await requestLowBalanceEmail(tx, { ...wallet, balance: s.balance, threshold: s.threshold, alertKey: event.id });
    return event.id;
  });
}

/**
 * Compares a wallet with its threshold. Below it and not alerted yet: records the alert and emits
 * `wallet.low_balance`, once per crossing. At or above it: forgets the alert, so the next crossing
 * alerts again. Concurrent checks alert once (the alert row is the guard).
 */
export async function checkLowBalance(db: DbOrTx, input: LowBalanceWallet): Promise<{ below: boolean; eventId: string | null }> {
  const [standing] = await walletStandings(db, [input]);
  if (!standing?.below) return { below: false, eventId: null };
  return { below: true, eventId: standing.alerted ? null : await alertOnce(db, standing) };
}

/**
 * `checkLowBalance` for many wallets (a batch settlement's): one statement for all of them, then
 * the alert of each wallet newly below its threshold. Returns the `wallet.low_balance` events emitted.
 */
export async function checkLowBalances(db: DbOrTx, wallets: readonly LowBalanceWallet[]): Promise<{ eventIds: string[] }> {
  if (wallets.length === 0) return { eventIds: [] };
  const eventIds: string[] = [];
  for (const standing of await walletStandings(db, wallets)) {
    if (!standing.below || standing.alerted) continue;
    const eventId = await alertOnce(db, standing);
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
