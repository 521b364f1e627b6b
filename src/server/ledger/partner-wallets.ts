import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { ledgerAccounts } from "@/server/db/schema";
import type { LedgerEnvironment } from "./accounts";

/** A partner's wallets in one environment, one per currency. */
export async function listPartnerWallets(db: DbOrTx, partnerId: string, environment: LedgerEnvironment) {
  return db
    .select({ id: ledgerAccounts.id, currency: ledgerAccounts.currency, balance: ledgerAccounts.balance, updatedAt: ledgerAccounts.updatedAt })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.kind, "partner_wallet"), eq(ledgerAccounts.partnerId, partnerId), eq(ledgerAccounts.environment, environment)))
    .orderBy(asc(ledgerAccounts.currency));
}

/**
 * Admin: every partner's wallets (one row per partner, environment and currency), with the sum of
 * pending top-up requests of each, in SQL; partners with no wallet yet are listed with none.
 * Narrowed by any part of the business name or partner id, and by environment.
 */
export async function listWalletBalances(db: DbOrTx, opts: { search?: string; environment?: LedgerEnvironment; limit: number; offset: number }) {
  const search = opts.search?.trim() ? `%${opts.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const env = opts.environment ?? null;
  const rows = await db.execute<{
    partner_id: string;
    business_name: string;
    partner_status: string;
    account_id: string | null;
    environment: LedgerEnvironment | null;
    currency: string | null;
    balance: string | null;
    pending_topups: string;
    updated_at: Date | string | null;
    total: number;
  }>(sql`
    select p.id as partner_id, p.business_name, p.status::text as partner_status,
      a.id as account_id, a.environment::text as environment, a.currency, a.balance::text as balance, a.updated_at,
      coalesce((select sum(r.amount) from topup_requests r where r.partner_id = p.id and r.status = 'pending'
        and r.environment::text = a.environment::text and r.currency = a.currency), 0)::numeric(20,4)::text as pending_topups,
      (count(*) over ())::int as total
    from partners p
    left join ledger_accounts a on a.partner_id = p.id and a.kind = 'partner_wallet' and (${env}::text is null or a.environment::text = ${env}::text)
    where (${search}::text is null or p.business_name ilike ${search} or p.id ilike ${search})
    order by p.business_name, p.id, a.environment, a.currency
    limit ${opts.limit} offset ${opts.offset}`);
  return {
    total: rows[0]?.total ?? 0,
    data: rows.map((r) => ({
      partnerId: r.partner_id,
      businessName: r.business_name,
      partnerStatus: r.partner_status,
      accountId: r.account_id,
      environment: r.environment,
      currency: r.currency,
      balance: r.balance,
      pendingTopups: r.pending_topups,
      updatedAt: r.updated_at === null ? null : new Date(r.updated_at),
    })),
  };
}
