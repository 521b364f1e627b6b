import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { redriveStuckOrders } from "@/server/orders/maintenance";
import { searchAllOrders } from "@/server/orders/search";
import { cancelPendingOrder, getOrderSupportDetail, refundOrderBySupport, repollOrder, retryPlacement } from "@/server/orders/support";
import { adminProcedure, router } from "../../init";

const orderId = z.string().trim().min(1).max(64);
const optionalReason = z.string().trim().max(500).optional();
const reason = z.string().trim().min(3, "Say why (at least 3 characters).").max(500);

/** Order support: search, detail with timeline and vendor calls, re-poll, retry, refund, cancel, backfill by range. */
export const adminOrdersRouter = router({
  search: adminProcedure
    .input(
      z.object({
        q: z.string().trim().max(200).optional(),
        partner: z.string().trim().max(200).optional(),
        status: z.enum(["pending", "processing", "completed", "failed"]).optional(),
        environment: z.enum(["sandbox", "live"]).optional(),
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        limit: z.number().int().min(1).max(200).default(50),
        cursor: z.string().max(64).optional(),
      }),
    )
    .query(({ ctx, input }) =>
      searchAllOrders(ctx.db, {
        q: input.q || undefined,
        partner: input.partner || undefined,
        status: input.status,
        environment: input.environment,
        from: input.from,
        to: input.to,
        limit: input.limit,
        after: input.cursor,
      }),
    ),
  detail: adminProcedure.input(z.object({ orderId })).query(async ({ ctx, input }) => {
    const detail = await getOrderSupportDetail(ctx.db, input.orderId);
    if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: `No order ${input.orderId}.` });
    return detail;
  }),
  repoll: adminProcedure
    .input(z.object({ orderId, reason: optionalReason }))
    .mutation(({ ctx, input }) => repollOrder(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  retryPlacement: adminProcedure
    .input(z.object({ orderId, reason: optionalReason }))
    .mutation(({ ctx, input }) => retryPlacement(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  refund: adminProcedure
    .input(z.object({ orderId, reason }))
    .mutation(({ ctx, input }) => refundOrderBySupport(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  cancel: adminProcedure
    .input(z.object({ orderId, reason }))
    .mutation(({ ctx, input }) => cancelPendingOrder(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  /** Backfill by date range: re-drives the stuck orders created in [from, to) (never one whose run is open). */
  backfill: adminProcedure
    .input(
      z
        .object({
          from: z.coerce.date(),
          to: z.coerce.date(),
          staleAfterMinutes: z
            .number()
            .int()
            .min(1)
            .max(7 * 24 * 60)
            .default(30),
          reason,
        })
        .refine((v) => v.from < v.to, { message: "The range must end after it starts.", path: ["to"] }),
    )
    .mutation(async ({ ctx, input }) => {
      const ids = await redriveStuckOrders(ctx.db, {
        staleAfterMs: input.staleAfterMinutes * 60_000,
        createdFrom: input.from,
        createdTo: input.to,
        audit: { actor: ctx.user.id, ip: clientIpFrom(ctx.headers), reason: input.reason },
      });
      return { redriven: ids.length, orderIds: ids.slice(0, 100) };
    }),
});
