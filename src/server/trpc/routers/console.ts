import { randomBytes } from "node:crypto";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { faceValueAllowed, quoteIfSellable } from "@/server/catalog/pricing";
import { findOrderableProduct, listPartnerCatalog, type CatalogItem } from "@/server/catalog/visibility";
import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { createOrder, MAX_QUANTITY } from "@/server/orders/create";
import { getPartnerOrder, presentOrder } from "@/server/orders/queries";
import { partnerProcedure, router } from "../init";

/** The sandbox console works in the sandbox only: nothing here can touch live money. */
const SANDBOX = "sandbox" as const;
const CATALOG_PAGE = 100;
const CATALOG_MAX = 5_000;

const orderInput = z.object({
  sku: z.string().trim().min(1).max(100),
  faceValue: z.string().trim().min(1).max(32),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
});

export const consoleRouter = router({
  /** The partner's whole sandbox catalog (searched in the page), through the API's own listing. */
  catalog: partnerProcedure("developer").query(async ({ ctx }) => {
    const items: CatalogItem[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await listPartnerCatalog(ctx.db, ctx.partnerId, SANDBOX, { limit: CATALOG_PAGE, startingAfter });
      items.push(...page.data);
      if (!page.hasMore || !page.nextCursor || items.length >= CATALOG_MAX) break;
      startingAfter = page.nextCursor;
    }
    return items;
  }),

  /** What an order would cost, by the same pricing as the order itself; null when it cannot be ordered. */
  quote: partnerProcedure("developer")
    .input(orderInput)
    .query(async ({ ctx, input }) => {
      const product = await findOrderableProduct(ctx.db, { partnerId: ctx.partnerId, environment: SANDBOX, sku: input.sku });
      if (!product || !/^\d{1,15}(\.\d{1,4})?$/.test(input.faceValue)) return null;
      if (!faceValueAllowed(input.faceValue, product.minFaceValue, product.maxFaceValue)) return null;
      const q = quoteIfSellable({ faceValue: input.faceValue, quantity: input.quantity, costRate: product.costRate, markupBps: product.markupBps });
      return q && { unitPrice: q.unitPrice, totalPrice: q.totalPrice, currency: product.costCurrency };
    }),

  /** Creates a sandbox order through the same path as `POST /api/v1/orders`. */
  createOrder: partnerProcedure("developer")
    .input(orderInput)
    .mutation(async ({ ctx, input }) => {
      const { order } = await createOrder(
        ctx.db,
        {
          partnerId: ctx.partnerId,
          environment: SANDBOX,
          sku: input.sku,
          faceValue: input.faceValue,
          quantity: input.quantity,
          referenceId: `console_${randomBytes(9).toString("hex")}`,
          actor: ctx.user.id,
          source: "console",
        },
        ctx.services.orders,
      );
      return presentOrder(order);
    }),

  /** One sandbox order as the API shows it, cards included once completed. */
  order: partnerProcedure("developer")
    .input(z.object({ id: z.string().regex(/^ord_[0-9a-z]{1,40}$/) }))
    .query(async ({ ctx, input }) => {
      const order = await getPartnerOrder(ctx.db, {
        partnerId: ctx.partnerId,
        environment: SANDBOX,
        orderId: input.id,
        encryptionKey: ctx.services.encryptionKey,
      });
      if (!order) throw new DomainError("resource_not_found", `No sandbox order ${input.id}.`, { param: "id" });
      return order;
    }),

  /** The sandbox wallet balances. */
  balance: partnerProcedure("developer").query(({ ctx }) => listPartnerWallets(ctx.db, ctx.partnerId, SANDBOX)),
});
