import { and, eq, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { parseCurrency, type Amount, type Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import { ledgerAccounts, type ledgerAccountKind, type ledgerEnvironment } from "@/server/db/schema";
import { AccountNotFoundError, InvalidLedgerRequestError } from "./errors";

export type LedgerEnvironment = (typeof ledgerEnvironment.enumValues)[number];
export type AccountKind = (typeof ledgerAccountKind.enumValues)[number];
/** Accounts owned by a partner (one per partner, environment and currency); every other kind is a system account. */
export type SystemAccountKind = Exclude<AccountKind, "partner_wallet" | "agent_commission">;
export type LedgerAccount = typeof ledgerAccounts.$inferSelect;

/** The partner's wallet for that environment and currency, created empty on first use. */
export async function getOrCreateWallet(db: DbOrTx, partnerId: string, environment: LedgerEnvironment, currency: Currency): Promise<LedgerAccount> {
  parseCurrency(currency);
  const existing = await findWallet(db, partnerId, environment, currency);
  if (existing) return existing;
  await db
    .insert(ledgerAccounts)
    .values({ id: newId("acc"), kind: "partner_wallet", partnerId, environment, currency })
    .onConflictDoNothing({
      target: [ledgerAccounts.partnerId, ledgerAccounts.environment, ledgerAccounts.currency],
      where: sql`kind = 'partner_wallet'`,
    });
  return (await findWallet(db, partnerId, environment, currency))!;
}

/** The wallet if it exists (no creation), scoped to its owner. */
export async function findWallet(db: DbOrTx, partnerId: string, environment: LedgerEnvironment, currency: Currency): Promise<LedgerAccount | null> {
  const [row] = await db
    .select()
    .from(ledgerAccounts)
    .where(
      and(
        eq(ledgerAccounts.kind, "partner_wallet"),
        eq(ledgerAccounts.partnerId, partnerId),
        eq(ledgerAccounts.environment, environment),
        eq(ledgerAccounts.currency, currency),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The single system account of that kind, currency and environment, created on first use. */
export async function getSystemAccount(
  db: DbOrTx,
  kind: SystemAccountKind,
  currency: Currency,
  environment: LedgerEnvironment = "live",
  shard = 0,
): Promise<LedgerAccount> {
  if ((kind as AccountKind) === "partner_wallet" || (kind as AccountKind) === "agent_commission")
    throw new InvalidLedgerRequestError("partner wallets are not system accounts");
  parseCurrency(currency);
  const find = () =>
    db
      .select()
      .from(ledgerAccounts)
      .where(
        and(eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency), eq(ledgerAccounts.environment, environment), eq(ledgerAccounts.shard, shard)),
      )
      .limit(1);
  const [existing] = await find();
  if (existing) return existing;
  await db
    .insert(ledgerAccounts)
    .values({ id: newId("acc"), kind, environment, currency, shard })
    .onConflictDoNothing({
      target: [ledgerAccounts.kind, ledgerAccounts.currency, ledgerAccounts.environment, ledgerAccounts.shard],
      where: sql`partner_id is null`,
    });
  const [row] = await find();
  return row!;
}

/**
 * One account; with `partnerId`, only if that partner owns it (a partner never learns that
 * another partner's account exists).
 */
export async function getAccount(db: DbOrTx, accountId: string, opts: { partnerId?: string } = {}): Promise<LedgerAccount> {
  const [row] = await db
    .select()
    .from(ledgerAccounts)
    .where(
      opts.partnerId === undefined ? eq(ledgerAccounts.id, accountId) : and(eq(ledgerAccounts.id, accountId), eq(ledgerAccounts.partnerId, opts.partnerId)),
    )
    .limit(1);
  if (!row) throw new AccountNotFoundError(accountId);
  return row;
}

/** The account's current balance (the projection), as a 4-decimal string. */
export async function getBalance(db: DbOrTx, accountId: string, opts: { partnerId?: string } = {}): Promise<Amount> {
  return (await getAccount(db, accountId, opts)).balance;
}
