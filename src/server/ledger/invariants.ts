import { sql } from "drizzle-orm";
import type { Amount, Currency } from "@/lib/money";
import type { DbOrTx } from "@/server/db/client";
import type { LedgerEnvironment } from "./accounts";

export interface AccountDrift {
  accountId: string;
  balance: Amount;
  entriesSum: Amount;
  /** balance - entriesSum */
  drift: Amount;
}

export interface CurrencyTotal {
  currency: Currency;
  environment: LedgerEnvironment;
  /** Sum of every account's balance: zero when the books balance. */
  balanceSum: Amount;
  /** Sum of every entry: zero when every transfer has both sides. */
  entriesSum: Amount;
}

export interface InvariantReport {
  ok: boolean;
  drift: AccountDrift[];
  totals: CurrencyTotal[];
  /** Transfers whose entries are not exactly one -amount and one +amount. */
  unbalancedTransfers: string[];
  /** Wallets below zero (the CHECK constraint should make this impossible). */
  negativeWallets: string[];
}

/**
 * Checks the ledger's invariants in one consistent read: each balance equals the sum of its
 * entries, each currency (per environment) sums to zero, each transfer has two matching sides,
 * no wallet is negative.
 */
export async function checkInvariants(db: DbOrTx): Promise<InvariantReport> {
  return db.transaction(
    async (tx) => {
      // Whole-ledger scans: on a large ledger they may rightly outlast the app's statement timeout
      // (DATABASE_STATEMENT_TIMEOUT_MS), so this read-only check gets ten minutes.
      await tx.execute(sql`set local statement_timeout = '600s'`);
      const drift = await tx.execute<{ accountId: string; balance: string; entriesSum: string; drift: string }>(sql`
        select a.id as "accountId", a.balance::text as balance, coalesce(e.total, 0)::numeric(19,4)::text as "entriesSum",
               (a.balance - coalesce(e.total, 0))::numeric(19,4)::text as drift
        from ledger_accounts a
        left join (select account_id, sum(amount) as total from ledger_entries group by account_id) e on e.account_id = a.id
        where a.balance <> coalesce(e.total, 0)
        order by a.id`);
      const totals = await tx.execute<{ currency: string; environment: LedgerEnvironment; balanceSum: string; entriesSum: string }>(sql`
        select a.currency, a.environment::text as environment,
               sum(a.balance)::numeric(19,4)::text as "balanceSum",
               coalesce(sum(e.total), 0)::numeric(19,4)::text as "entriesSum"
        from ledger_accounts a
        left join (select account_id, sum(amount) as total from ledger_entries group by account_id) e on e.account_id = a.id
        group by a.currency, a.environment
        order by a.currency, a.environment`);
      const unbalanced = await tx.execute<{ id: string }>(sql`
        select t.id from ledger_transfers t
        left join ledger_entries e on e.transfer_id = t.id
        group by t.id, t.amount, t.debit_account_id, t.credit_account_id
        having count(e.id) <> 2
            or count(*) filter (where e.account_id = t.debit_account_id and e.amount = -t.amount) <> 1
            or count(*) filter (where e.account_id = t.credit_account_id and e.amount = t.amount) <> 1
        order by t.id`);
      const negative = await tx.execute<{ id: string }>(sql`
        select id from ledger_accounts where kind = 'partner_wallet' and balance < 0 order by id`);
      const totalsOut = totals.map((t) => ({ ...t }));
      const ok =
        drift.length === 0 &&
        unbalanced.length === 0 &&
        negative.length === 0 &&
        totalsOut.every((t) => /^-?0\.0000$/.test(t.balanceSum) && /^-?0\.0000$/.test(t.entriesSum));
      return {
        ok,
        drift: drift.map((d) => ({ ...d })),
        totals: totalsOut,
        unbalancedTransfers: unbalanced.map((r) => r.id),
        negativeWallets: negative.map((r) => r.id),
      };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
