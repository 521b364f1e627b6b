import { inArray } from "drizzle-orm";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { addAmounts, compareAmounts } from "@/lib/money";
import { dayBounds, ledgerFilters, statementRange, topupForm } from "@/lib/schemas/dashboard-wallet";
import { recordAudit } from "@/server/audit";
import { users } from "@/server/db/schema";
import { entryLinks, findWallet, getPartnerEntry, getStatement, listPartnerWalletEntries, listTopupRequests, requestTopup } from "@/server/ledger";
import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { listLowBalanceThresholds } from "@/server/webhooks/sources";
import { partnerProcedure, router } from "../init";

const environment = z.enum(["sandbox", "live"]);

/** Statement lines shown on the page; the CSV download has them all. */
const STATEMENT_PAGE_LINES = 500;

const noWallet = (currency: string, env: string) => new DomainError("resource_not_found", `You have no ${currency} wallet in ${env}.`, { param: "currency" });

/**
 * The partner dashboard's wallet (issue 16), on the domain functions of `/api/v1/wallet/**`.
 * Balances for every role; the ledger, statements and top-up requests for owners and finance.
 * Every query is scoped by the caller's partner and the environment asked for.
 */
export const walletRouter = router({
  /** Balances per currency, pending top-ups and the low-balance flag (each wallet's threshold, as on the overview). */
  balances: partnerProcedure("finance", "developer")
    .input(z.object({ environment }))
    .query(async ({ ctx, input }) => {
      const [wallets, thresholds, pending] = await Promise.all([
        listPartnerWallets(ctx.db, ctx.partnerId, input.environment),
        listLowBalanceThresholds(ctx.db, ctx.partnerId, input.environment),
        listTopupRequests(ctx.db, { partnerId: ctx.partnerId, environment: input.environment, status: "pending", limit: 200 }),
      ]);
      const pendingBy = new Map<string, string>();
      for (const r of pending) pendingBy.set(r.currency, addAmounts(pendingBy.get(r.currency) ?? "0", r.amount));
      const currencies = new Set([...wallets.map((w) => w.currency), ...pendingBy.keys()]);
      return {
        wallets: [...currencies].sort().map((currency) => {
          const w = wallets.find((x) => x.currency === currency);
          const balance = w?.balance ?? "0.0000";
          // The overview's rule: the wallet's own threshold (settings), else the partner's default.
          const threshold = thresholds.byCurrency[currency] ?? thresholds.fallback;
          return {
            currency,
            balance,
            threshold,
            pendingTopups: pendingBy.get(currency) ?? "0.0000",
            low: compareAmounts(balance, threshold) < 0,
            updatedAt: w?.updatedAt ?? null,
          };
        }),
      };
    }),

  /** The wallet's entries, newest first, filtered like `GET /api/v1/wallet/transactions`. */
  transactions: partnerProcedure("finance")
    .input(ledgerFilters.extend({ environment, after: z.string().max(64).optional(), limit: z.number().int().min(1).max(100).default(25) }))
    .query(({ ctx, input }) =>
      listPartnerWalletEntries(ctx.db, {
        partnerId: ctx.partnerId,
        environment: input.environment,
        currency: input.currency ?? "USD",
        after: input.after,
        limit: input.limit,
        filters: { kinds: input.kind ? [input.kind] : undefined, ...dayBounds(input.from, input.to), reference: input.reference },
      }),
    ),

  /** One entry of the partner's wallets (the ledger's detail drawer, `?entry=` in the URL). */
  entry: partnerProcedure("finance")
    .input(z.object({ environment, entryId: z.string().min(1).max(64) }))
    .query(async ({ ctx, input }) => {
      const e = await getPartnerEntry(ctx.db, { partnerId: ctx.partnerId, environment: input.environment, entryId: input.entryId });
      if (!e) throw new DomainError("resource_not_found", "No such wallet entry.", { param: "entryId" });
      return { ...e, createdAt: new Date(e.createdAt), ...entryLinks(e) };
    }),

  /** The statement of whole days (both included): balances, totals and up to 500 lines. */
  statement: partnerProcedure("finance")
    .input(statementRange.safeExtend({ environment }))
    .query(async ({ ctx, input }) => {
      const wallet = await findWallet(ctx.db, ctx.partnerId, input.environment, input.currency);
      if (!wallet) throw noWallet(input.currency, input.environment);
      const { from, to } = dayBounds(input.from, input.to);
      const s = await getStatement(ctx.db, { accountId: wallet.id, from: from!, to: to!, partnerId: ctx.partnerId }, { maxEntries: STATEMENT_PAGE_LINES });
      return {
        currency: s.currency,
        from: input.from,
        to: input.to,
        openingBalance: s.openingBalance,
        closingBalance: s.closingBalance,
        totalCredits: s.totalCredits,
        totalDebits: s.totalDebits,
        entryCount: s.entryCount,
        truncated: s.entries.length < s.entryCount,
        lines: s.entries.map((e) => ({
          id: e.id,
          transferId: e.transferId,
          kind: e.kind,
          reference: e.reference,
          amount: e.amount,
          balanceAfter: e.balanceAfter,
          createdAt: new Date(e.createdAt),
          ...entryLinks(e),
        })),
      };
    }),

  topups: router({
    /** The environment's top-up requests, newest first, with who asked and what was decided. */
    list: partnerProcedure("finance")
      .input(z.object({ environment }))
      .query(async ({ ctx, input }) => {
        const rows = await listTopupRequests(ctx.db, { partnerId: ctx.partnerId, environment: input.environment, limit: 100 });
        const userIds = [...new Set(rows.map((r) => r.requestedBy).filter((id) => id.startsWith("usr_")))];
        const people = userIds.length
          ? await ctx.db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, userIds))
          : [];
        return rows.map((r) => {
          const person = people.find((p) => p.id === r.requestedBy);
          return {
            id: r.id,
            status: r.status,
            amount: r.amount,
            currency: r.currency,
            note: r.note,
            createdAt: r.createdAt,
            requestedBy: person ? `${person.name} (${person.email})` : r.requestedBy.startsWith("key_") ? `API key ${r.requestedBy}` : "Steller",
            decidedAt: r.decidedAt,
            decisionReason: r.decisionReason,
          };
        });
      }),

    /** Asks Steller to fund the wallet, like `POST /api/v1/wallet/topup-requests`; nothing moves until approved. Audited. */
    create: partnerProcedure("finance")
      .input(topupForm.extend({ environment }))
      .mutation(({ ctx, input }) =>
        ctx.db.transaction(async (tx) => {
          const request = await requestTopup(tx, {
            partnerId: ctx.partnerId,
            environment: input.environment,
            currency: input.currency,
            amount: input.amount,
            note: input.note,
            requestedBy: ctx.user.id,
          });
          await recordAudit(tx, {
            actor: ctx.user.id,
            partnerId: ctx.partnerId,
            action: "topup.requested",
            targetType: "topup_request",
            targetId: request.id,
            metadata: { amount: request.amount, currency: request.currency, environment: request.environment },
          });
          return { id: request.id, status: request.status, amount: request.amount, currency: request.currency };
        }),
      ),
  }),
});
