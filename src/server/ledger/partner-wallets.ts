import { and, asc, eq } from "drizzle-orm";
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
