import { inArray } from "drizzle-orm";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { isValidAmount } from "@/lib/money";
import { dayBounds, ledgerFilters } from "@/lib/schemas/dashboard-wallet";
import { partners, users } from "@/server/db/schema";
import { getPartnerEntry, listPartnerWalletEntries, listTopupRequests } from "@/server/ledger";
import { entryLinks } from "@/server/ledger/entries";
import { listWalletBalances } from "@/server/ledger/partner-wallets";
import { adjustPartnerWallet, approvePartnerTopup, creditPartnerWallet, rejectPartnerTopup } from "@/server/partners/funding";
import { DomainError } from "@/lib/errors";
import { adminProcedure, router } from "../../init";

const environment = z.enum(["sandbox", "live"]);
const partnerId = z.string().min(1).max(64);
const reason = z.string().trim().min(3, "Give a reason (at least 3 characters): it goes in the audit log.").max(500);
const movement = z.object({
  partnerId,
  environment,
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, "A 3-letter currency code such as USD."),
  reason,
});

/** Wallets: balances, credits and adjustments, the top-up queue, ledgers and statements. */
export const adminWalletsRouter = router({
  /** Every partner's wallets per environment and currency, with pending top-ups (SQL). */
  balances: adminProcedure
    .input(
      z.object({
        search: z.string().trim().max(100).optional(),
        environment: environment.optional(),
        limit: z.number().int().min(1).max(200).default(50),
        offset: z.number().int().min(0).default(0),
      }),
    )
    .query(({ ctx, input }) => listWalletBalances(ctx.db, input)),

  /** The top-up queue, newest first, with the partner's name and who asked. */
  topups: adminProcedure
    .input(z.object({ status: z.enum(["pending", "approved", "rejected"]).optional(), partnerId: partnerId.optional() }).optional())
    .query(async ({ ctx, input }) => {
      const rows = await listTopupRequests(ctx.db, { status: input?.status, partnerId: input?.partnerId, limit: 100 });
      const partnerIds = [...new Set(rows.map((r) => r.partnerId))];
      const userIds = [...new Set(rows.map((r) => r.requestedBy).filter((id) => id.startsWith("usr_")))];
      const [names, people] = await Promise.all([
        partnerIds.length ? ctx.db.select({ id: partners.id, name: partners.businessName }).from(partners).where(inArray(partners.id, partnerIds)) : [],
        userIds.length ? ctx.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds)) : [],
      ]);
      return rows.map((r) => ({
        ...r,
        businessName: names.find((n) => n.id === r.partnerId)?.name ?? r.partnerId,
        requestedByLabel: people.find((p) => p.id === r.requestedBy)?.email ?? r.requestedBy,
      }));
    }),
  approveTopup: adminProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), reason: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) => approvePartnerTopup(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),
  rejectTopup: adminProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), reason }))
    .mutation(({ ctx, input }) => rejectPartnerTopup(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),

  /** External funding into the wallet (created on first use). Reason mandatory; audited with the balance before and after. */
  creditWallet: adminProcedure
    .input(
      movement.extend({
        amount: z
          .string()
          .trim()
          .refine((v) => isValidAmount(v, { allowZero: false }), "Enter an amount above zero like 500.00."),
      }),
    )
    .mutation(({ ctx, input }) => creditPartnerWallet(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),

  /** A correction either way (negative debits, never below zero). Reason mandatory; audited with the balance before and after. */
  adjustWallet: adminProcedure
    .input(
      movement.extend({
        amount: z
          .string()
          .trim()
          .refine((v) => isValidAmount(v, { allowNegative: true, allowZero: false }), "Enter a non-zero amount like 25.00 or -25.00."),
      }),
    )
    .mutation(({ ctx, input }) => adjustPartnerWallet(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) })),

  /** A partner's wallet entries, newest first, with the partner dashboard's filters. */
  ledger: adminProcedure
    .input(ledgerFilters.extend({ partnerId, environment, after: z.string().max(64).optional(), limit: z.number().int().min(1).max(100).default(25) }))
    .query(({ ctx, input }) =>
      listPartnerWalletEntries(ctx.db, {
        partnerId: input.partnerId,
        environment: input.environment,
        currency: input.currency ?? "USD",
        after: input.after,
        limit: input.limit,
        filters: { kinds: input.kind ? [input.kind] : undefined, ...dayBounds(input.from, input.to), reference: input.reference },
      }),
    ),

  /** One entry of a partner's wallets (the ledger's detail drawer). */
  entry: adminProcedure.input(z.object({ partnerId, environment, entryId: z.string().min(1).max(64) })).query(async ({ ctx, input }) => {
    const e = await getPartnerEntry(ctx.db, input);
    if (!e) throw new DomainError("resource_not_found", "No such wallet entry.", { param: "entryId" });
    return { ...e, createdAt: new Date(e.createdAt), ...entryLinks(e) };
  }),
});
