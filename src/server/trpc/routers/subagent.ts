import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { DomainError } from "@/lib/errors";
import { rangeOfDays, reportRangeInput } from "@/lib/schemas/agency-reports";
import { sellCardInput } from "@/lib/schemas/sell";
import { agentReport, agentReportCsv, networkReport, networkReportCsv, subAgentReport, subAgentReportCsv } from "@/server/agency/reports";
import { dailySales, getSale, quoteSale, saleReceipt, sellCard } from "@/server/agency/selling";
import { generateMonthlyStatements, getKeptStatement, listStatements, previousPeriod } from "@/server/agency/statements";
import { recordAudit } from "@/server/audit";
import type { MemberRole } from "@/server/auth/session-user";
import { listPartnerCatalog } from "@/server/catalog/visibility";
import type { Db } from "@/server/db/client";
import { partners } from "@/server/db/schema";
import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { assertLiveAccess } from "@/server/partners/golive";
import { adminProcedure, partnerProcedure, router } from "../init";

const environment = z.enum(["sandbox", "live"]);
const orderRef = z.object({ environment, orderId: z.string().min(1).max(64) });

async function kindOf(db: Db, partnerId: string) {
  const [row] = await db.select({ kind: partners.kind }).from(partners).where(eq(partners.id, partnerId));
  return row?.kind ?? null;
}

/** Members of a sub-agent (roles as `partnerProcedure`); anyone else is refused. */
function subAgentProcedure(...roles: MemberRole[]) {
  return partnerProcedure(...roles).use(async ({ ctx, next }) => {
    if ((await kindOf(ctx.db, ctx.partnerId)) !== "sub_agent")
      throw new TRPCError({ code: "FORBIDDEN", message: "Selling over the counter is for sub-agents." });
    return next();
  });
}

/** Members of an agent (roles as `partnerProcedure`); anyone else is refused. */
function agentProcedure(...roles: MemberRole[]) {
  return partnerProcedure(...roles).use(async ({ ctx, next }) => {
    if ((await kindOf(ctx.db, ctx.partnerId)) !== "agent") throw new TRPCError({ code: "FORBIDDEN", message: "Agency reports are for agents." });
    return next();
  });
}

const saleNotFound = () => new DomainError("resource_not_found", "No such sale.");

/**
 * A sub-agent's own procedures (issue 18): "Sell a card" through the order engine, the sale and its
 * printable receipt, today's sales with the balance, its report and kept monthly statements. Scoped
 * by the caller's partner and the environment asked for.
 */
export const subagentRouter = router({
  /** What the sub-agent can sell in this environment (first 500 products, by SKU). */
  products: subAgentProcedure("developer", "finance")
    .input(z.object({ environment }))
    .query(async ({ ctx, input }) => (await listPartnerCatalog(ctx.db, ctx.partnerId, input.environment, { limit: 500 })).data),

  /** The price of one card, before confirming (null: this product cannot be sold at this value). */
  quote: subAgentProcedure("developer")
    .input(z.object({ environment, sku: z.string().min(1).max(64), faceValue: z.string().max(32) }))
    .query(({ ctx, input }) => quoteSale(ctx.db, { partnerId: ctx.partnerId, ...input })),

  /** Sells one card: an order through `createOrder`, paid from the sub-agent's wallet (limits apply). */
  sell: subAgentProcedure("developer")
    .input(sellCardInput.extend({ environment }))
    .mutation(async ({ ctx, input }) => {
      if (input.environment === "live") await assertLiveAccess(ctx.db, ctx.partnerId);
      const { order, created } = await sellCard(ctx.db, { partnerId: ctx.partnerId, ...input, actor: ctx.user.id }, ctx.services.orders);
      return { orderId: order.id, status: order.status, created };
    }),

  /** One sale (status, product, customer), without the card. */
  sale: subAgentProcedure("developer", "finance")
    .input(orderRef)
    .query(async ({ ctx, input }) => {
      const sale = await getSale(ctx.db, { partnerId: ctx.partnerId, ...input });
      if (!sale) throw saleNotFound();
      return sale;
    }),

  /** The receipt of a completed sale, with the card's code and PIN: each showing is audited. */
  receipt: subAgentProcedure("developer")
    .input(orderRef)
    .mutation(async ({ ctx, input }) => {
      const receipt = await saleReceipt(ctx.db, { partnerId: ctx.partnerId, ...input, encryptionKey: ctx.services.encryptionKey });
      if (!receipt) {
        if (!(await getSale(ctx.db, { partnerId: ctx.partnerId, ...input }))) throw saleNotFound();
        throw new DomainError("invalid_parameter", "The receipt is ready when the sale completes.");
      }
      await recordAudit(ctx.db, {
        actor: ctx.user.id,
        partnerId: ctx.partnerId,
        action: "sale.receipt_shown",
        targetType: "order",
        targetId: receipt.orderId,
        metadata: { environment: input.environment, cards: receipt.cards.length },
        ip: clientIpFrom(ctx.headers),
      });
      return receipt;
    }),

  /** Today's sales (UTC) with their totals, and the wallet balances. */
  today: subAgentProcedure("developer", "finance")
    .input(z.object({ environment }))
    .query(async ({ ctx, input }) => {
      const [sales, wallets] = await Promise.all([
        dailySales(ctx.db, { partnerId: ctx.partnerId, environment: input.environment, day: new Date() }),
        listPartnerWallets(ctx.db, ctx.partnerId, input.environment),
      ]);
      return { ...sales, wallets: wallets.map((w) => ({ currency: w.currency, balance: w.balance })) };
    }),

  /** Own sales and balance movements for a date range. */
  report: subAgentProcedure("finance", "developer")
    .input(reportRangeInput.and(z.object({ environment })))
    .query(({ ctx, input }) => subAgentReport(ctx.db, ctx.partnerId, { environment: input.environment, ...rangeOfDays(input) })),

  reportCsv: subAgentProcedure("finance", "developer")
    .input(reportRangeInput.and(z.object({ environment })))
    .query(async ({ ctx, input }) => subAgentReportCsv(await subAgentReport(ctx.db, ctx.partnerId, { environment: input.environment, ...rangeOfDays(input) }))),
});

/** Kept monthly statements of the caller's partner (agents and sub-agents). */
function statementProcedures(procedure: ReturnType<typeof partnerProcedure>) {
  return {
    statements: procedure.input(z.object({ environment })).query(({ ctx, input }) => listStatements(ctx.db, ctx.partnerId, input.environment)),
    statement: procedure.input(z.object({ id: z.string().min(1).max(64) })).query(async ({ ctx, input }) => {
      const kept = await getKeptStatement(ctx.db, { partnerId: ctx.partnerId, id: input.id });
      if (!kept) throw new DomainError("resource_not_found", "No such statement.");
      return kept;
    }),
  };
}

/**
 * Agency reports (issue 18): an agent's report of its sub-agents (page and CSV), the kept monthly
 * statements of agents and sub-agents, and the admins' network totals.
 */
export const agencyReportsRouter = router({
  agent: agentProcedure("finance")
    .input(reportRangeInput.and(z.object({ environment })))
    .query(({ ctx, input }) => agentReport(ctx.db, ctx.partnerId, { environment: input.environment, ...rangeOfDays(input) })),

  agentCsv: agentProcedure("finance")
    .input(reportRangeInput.and(z.object({ environment })))
    .query(async ({ ctx, input }) => agentReportCsv(await agentReport(ctx.db, ctx.partnerId, { environment: input.environment, ...rangeOfDays(input) }))),

  agentStatements: router(statementProcedures(agentProcedure("finance"))),
  subAgentStatements: router(statementProcedures(subAgentProcedure("finance"))),

  network: adminProcedure
    .input(reportRangeInput.and(z.object({ environment })))
    .query(({ ctx, input }) => networkReport(ctx.db, { environment: input.environment, ...rangeOfDays(input) })),

  networkCsv: adminProcedure
    .input(reportRangeInput.and(z.object({ environment })))
    .query(async ({ ctx, input }) => networkReportCsv(await networkReport(ctx.db, { environment: input.environment, ...rangeOfDays(input) }))),

  /** Keeps last month's statements now (the monthly cron does the same; kept ones stay as they are). */
  generateStatements: adminProcedure.mutation(async ({ ctx }) => {
    const period = previousPeriod(ctx.services.clock.now());
    return ctx.db.transaction(async (tx) => {
      const result = await generateMonthlyStatements(tx, period);
      await recordAudit(tx, {
        actor: ctx.user.id,
        action: "agency.statements_generated",
        targetType: "period",
        targetId: period,
        after: result,
        ip: clientIpFrom(ctx.headers),
      });
      return result;
    });
  }),
});
