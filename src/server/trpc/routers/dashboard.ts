import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { buyCardsInput, type OrderFilters, orderFilters } from "@/lib/schemas/dashboard-orders";
import { recordAudit } from "@/server/audit";
import { orders } from "@/server/db/schema";
import { forecastBalance } from "@/server/ledger/forecast";
import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { createOrder } from "@/server/orders/create";
import { getPartnerOrder, partnerUsage, presentOrder } from "@/server/orders/queries";
import { assertLiveAccess } from "@/server/partners/golive";
import { type OrderSearch, partnerOrdersCsv, searchPartnerOrders } from "@/server/orders/search";
import { getOrderTimeline } from "@/server/orders/timeline";
import { listLowBalanceThresholds } from "@/server/webhooks/sources";
import { partnerProcedure, router } from "../init";

const environment = z.enum(["sandbox", "live"]);
const USAGE_DAYS = 30;

const orderRef = z.object({ environment, orderId: z.string().min(1).max(64) });

function search(f: OrderFilters): Omit<OrderSearch, "limit" | "after"> {
  return {
    status: f.status,
    sku: f.sku,
    referenceId: f.referenceId,
    q: f.q,
    from: f.from ? new Date(`${f.from}T00:00:00Z`) : undefined,
    to: f.to ? new Date(`${f.to}T23:59:59.999Z`) : undefined,
    order: f.sort === "created" ? "asc" : "desc",
  };
}

const notFound = () => new DomainError("resource_not_found", "No such order.");

/**
 * The partner dashboard's own procedures. Every one is scoped by the caller's partner and the
 * environment asked for; roles: owner always, `finance` and `developer` as each says.
 */
export const dashboardRouter = router({
  /** Balances, 30-day usage and each wallet's forecast in one environment. */
  overview: partnerProcedure("finance", "developer")
    .input(z.object({ environment }))
    .query(async ({ ctx, input }) => {
      const [wallets, usage, thresholds] = await Promise.all([
        listPartnerWallets(ctx.db, ctx.partnerId, input.environment),
        partnerUsage(ctx.db, ctx.partnerId, input.environment, USAGE_DAYS),
        listLowBalanceThresholds(ctx.db, ctx.partnerId, input.environment),
      ]);
      // Each wallet's own threshold (settings: per environment and currency), else the partner's default.
      const thresholdOf = (currency: string) => thresholds.byCurrency[currency] ?? thresholds.fallback;
      return {
        threshold: thresholds.fallback,
        usage,
        wallets: wallets.map((w) => ({
          currency: w.currency,
          balance: w.balance,
          threshold: thresholdOf(w.currency),
          forecast: forecastBalance({
            balance: w.balance,
            spend: usage.spend.find((s) => s.currency === w.currency)?.spend ?? "0",
            windowDays: USAGE_DAYS,
            threshold: thresholdOf(w.currency),
          }),
        })),
      };
    }),

  orders: router({
    /**
     * Buy cards by hand: the API's order path (createOrder), idempotent on the form's reference
     * (the same reference and input give back the first order). Owners and developers; live only
     * after go-live.
     */
    buy: partnerProcedure("developer")
      .input(buyCardsInput.extend({ environment }))
      .mutation(async ({ ctx, input }) => {
        if (input.environment === "live") await assertLiveAccess(ctx.db, ctx.partnerId);
        const { order, created } = await createOrder(
          ctx.db,
          {
            partnerId: ctx.partnerId,
            environment: input.environment,
            sku: input.sku,
            faceValue: input.faceValue,
            quantity: input.quantity,
            referenceId: input.referenceId,
            actor: ctx.user.id,
            source: "dashboard",
          },
          ctx.services.orders,
        );
        return { order: presentOrder(order), created };
      }),

    list: partnerProcedure("finance", "developer")
      .input(orderFilters.extend({ environment, after: z.string().max(64).optional(), limit: z.number().int().min(1).max(100).default(25) }))
      .query(({ ctx, input }) => searchPartnerOrders(ctx.db, ctx.partnerId, input.environment, { ...search(input), limit: input.limit, after: input.after })),

    /** The filtered set as CSV (up to 10,000 rows). */
    exportCsv: partnerProcedure("finance", "developer")
      .input(orderFilters.extend({ environment }))
      .query(({ ctx, input }) => partnerOrdersCsv(ctx.db, ctx.partnerId, input.environment, search(input))),

    /** One order, without its cards. */
    get: partnerProcedure("finance", "developer")
      .input(orderRef)
      .query(async ({ ctx, input }) => {
        const [o] = await ctx.db
          .select()
          .from(orders)
          .where(and(eq(orders.id, input.orderId), eq(orders.partnerId, ctx.partnerId), eq(orders.environment, input.environment)))
          .limit(1);
        if (!o) throw notFound();
        return presentOrder(o);
      }),

    timeline: partnerProcedure("finance", "developer")
      .input(orderRef)
      .query(async ({ ctx, input }) => {
        const events = await getOrderTimeline(ctx.db, { partnerId: ctx.partnerId, environment: input.environment, orderId: input.orderId });
        if (!events) throw notFound();
        return events;
      }),

    /** The cards' codes and PINs, on demand: owners and developers only, each reveal audited. */
    revealCards: partnerProcedure("developer")
      .input(orderRef)
      .mutation(async ({ ctx, input }) => {
        const order = await getPartnerOrder(ctx.db, {
          partnerId: ctx.partnerId,
          environment: input.environment,
          orderId: input.orderId,
          encryptionKey: ctx.services.encryptionKey,
        });
        if (!order) throw notFound();
        await recordAudit(ctx.db, {
          actor: ctx.user.id,
          partnerId: ctx.partnerId,
          action: "order.cards_revealed",
          targetType: "order",
          targetId: order.id,
          metadata: { environment: input.environment, cards: order.cards?.length ?? 0 },
        });
        return order.cards ?? [];
      }),
  }),
});
