import { sql } from "drizzle-orm";
import { bigint, check, foreignKey, index, jsonb, numeric, pgEnum, pgTable, smallint, text, timestamp, unique, uniqueIndex } from "drizzle-orm/pg-core";
import { partners } from "./identity";

/*
 * Double-entry ledger.
 *
 * Sign convention: for EVERY account, balance = sum(credits) - sum(debits). A transfer debits
 * one account (money leaves it) and credits another (money arrives), writing one entry per
 * side: -amount on the debit account, +amount on the credit account. So, per currency (and
 * environment), the balances of all accounts sum to zero. Wallets hold what we owe partners and
 * may never go negative; system accounts (external funding, sandbox mint, vendor settlement,
 * platform revenue) may: external funding sits at minus everything that ever came in.
 *
 * Immutability of transfers and entries, and the hand-written triggers, live in the custom
 * migration `drizzle/*_ledger_guards.sql`.
 */

export const ledgerEnvironment = pgEnum("ledger_environment", ["sandbox", "live"]);
export const ledgerAccountKind = pgEnum("ledger_account_kind", [
  "partner_wallet",
  "platform_revenue",
  "vendor_settlement",
  "sandbox_mint",
  "external_funding",
  // An agent's earned revenue share (issue 18), owned by the agent like a wallet, one per
  // environment and currency. It may go below zero: a commission reversed after the agent moved
  // it into its wallet is owed back out of later commission (src/server/ledger/commission.ts).
  "agent_commission",
]);
export const ledgerTransferKind = pgEnum("ledger_transfer_kind", [
  "order_debit",
  "order_refund",
  "topup_approval",
  "sandbox_grant",
  "admin_credit",
  "admin_adjustment",
  // Recognises an order's margin when it completes: vendor settlement → platform revenue (the
  // other way for a loss). One per order (reference = order id): src/server/ledger/revenue.ts.
  "order_revenue",
  // Agency network (issue 18), each once per reference:
  // agent wallet → sub-agent wallet (reference: the agent's idempotency key).
  "agent_funding",
  // sub-agent wallet → agent wallet, never more than the sub-agent holds.
  "agent_recall",
  // platform revenue → agent commission account when a sub-agent's order margin is recognised (reference = order id).
  "agent_commission",
  // agent commission account → platform revenue when that order is refunded (reference = order id).
  "agent_commission_reversal",
  // agent commission account → the agent's wallet (reference: the agent's idempotency key).
  "commission_payout",
  // Takes an order's recognised margin back when a completed order is refunded (admin order
  // support): order_revenue's accounts the other way round, once per order (reference = order id).
  "order_revenue_reversal",
]);
export const topupStatus = pgEnum("topup_status", ["pending", "approved", "rejected"]);

const money = (name: string) => numeric(name, { precision: 19, scale: 4 });

export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: text("id").primaryKey(),
    kind: ledgerAccountKind("kind").notNull(),
    /** Owner of a partner wallet; null for system accounts. */
    partnerId: text("partner_id").references(() => partners.id, { onDelete: "restrict" }),
    environment: ledgerEnvironment("environment").notNull(),
    currency: text("currency").notNull(),
    /** Projection of the entries, updated by the ledger in the transaction that writes them. */
    balance: money("balance").notNull().default("0"),
    /**
     * System accounts written by every order (vendor settlement) are split into shards so
     * concurrent orders do not all queue on one row lock; their balance is the sum of shards.
     */
    shard: smallint("shard").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Targets of the composite foreign keys that keep both sides of a transfer in one currency
    // and one environment.
    unique("ledger_accounts_id_currency_env_uq").on(t.id, t.currency, t.environment),
    uniqueIndex("ledger_accounts_wallet_uq").on(t.partnerId, t.environment, t.currency).where(sql`${t.kind} = 'partner_wallet'`),
    // Partner-owned accounts other than wallets (agent commission), one per partner, environment
    // and currency; every system account has no partner (ledger_accounts_wallet_owner_ck). The
    // predicates name no new enum value: an index predicate may not cast the enum to text.
    uniqueIndex("ledger_accounts_commission_uq")
      .on(t.partnerId, t.environment, t.currency)
      .where(sql`${t.kind} <> 'partner_wallet' and ${t.partnerId} is not null`),
    uniqueIndex("ledger_accounts_system_uq").on(t.kind, t.currency, t.environment, t.shard).where(sql`${t.partnerId} is null`),
    check("ledger_accounts_currency_ck", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("ledger_accounts_wallet_owner_ck", sql`(${t.kind}::text in ('partner_wallet', 'agent_commission')) = (${t.partnerId} is not null)`),
    check("ledger_accounts_wallet_non_negative_ck", sql`${t.kind} <> 'partner_wallet' or ${t.balance} >= 0`),
  ],
);

export const ledgerTransfers = pgTable(
  "ledger_transfers",
  {
    id: text("id").primaryKey(),
    kind: ledgerTransferKind("kind").notNull(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
    environment: ledgerEnvironment("environment").notNull(),
    debitAccountId: text("debit_account_id").notNull(),
    creditAccountId: text("credit_account_id").notNull(),
    /** Business key (order id, top-up request id…); (kind, reference) is unique. */
    reference: text("reference"),
    actor: text("actor").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: "ledger_transfers_debit_fk",
      columns: [t.debitAccountId, t.currency, t.environment],
      foreignColumns: [ledgerAccounts.id, ledgerAccounts.currency, ledgerAccounts.environment],
    }),
    foreignKey({
      name: "ledger_transfers_credit_fk",
      columns: [t.creditAccountId, t.currency, t.environment],
      foreignColumns: [ledgerAccounts.id, ledgerAccounts.currency, ledgerAccounts.environment],
    }),
    uniqueIndex("ledger_transfers_kind_reference_uq").on(t.kind, t.reference).where(sql`${t.reference} is not null`),
    index("ledger_transfers_debit_idx").on(t.debitAccountId),
    index("ledger_transfers_credit_idx").on(t.creditAccountId),
    check("ledger_transfers_amount_positive_ck", sql`${t.amount} > 0`),
    check("ledger_transfers_distinct_accounts_ck", sql`${t.debitAccountId} <> ${t.creditAccountId}`),
    check(
      "ledger_transfers_reference_required_ck",
      // kind::text: a value added to the enum cannot be used as one in the migration's own transaction.
      sql`${t.kind}::text not in ('order_debit', 'order_refund', 'topup_approval', 'sandbox_grant', 'order_revenue', 'agent_funding', 'agent_recall', 'agent_commission', 'agent_commission_reversal', 'commission_payout', 'order_revenue_reversal') or ${t.reference} is not null`,
    ),
  ],
);

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    /** Insertion order; per account it is the order in which the balance changed. */
    seq: bigint("seq", { mode: "bigint" }).notNull().generatedAlwaysAsIdentity(),
    transferId: text("transfer_id")
      .notNull()
      .references(() => ledgerTransfers.id),
    accountId: text("account_id").notNull(),
    currency: text("currency").notNull(),
    environment: ledgerEnvironment("environment").notNull(),
    /** Signed: + credit, - debit. */
    amount: money("amount").notNull(),
    balanceAfter: money("balance_after").notNull(),
    // clock_timestamp, not now(): taken after the account row is locked, so per account the
    // time order matches the balance order even across concurrent transactions.
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [
    foreignKey({
      name: "ledger_entries_account_fk",
      columns: [t.accountId, t.currency, t.environment],
      foreignColumns: [ledgerAccounts.id, ledgerAccounts.currency, ledgerAccounts.environment],
    }),
    uniqueIndex("ledger_entries_account_seq_uq").on(t.accountId, t.seq),
    index("ledger_entries_account_created_idx").on(t.accountId, t.createdAt),
    index("ledger_entries_transfer_idx").on(t.transferId),
    check("ledger_entries_amount_nonzero_ck", sql`${t.amount} <> 0`),
  ],
);

export const topupRequests = pgTable(
  "topup_requests",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    environment: ledgerEnvironment("environment").notNull().default("live"),
    currency: text("currency").notNull(),
    amount: money("amount").notNull(),
    status: topupStatus("status").notNull().default("pending"),
    note: text("note"),
    requestedBy: text("requested_by").notNull(),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decisionReason: text("decision_reason"),
    transferId: text("transfer_id").references(() => ledgerTransfers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("topup_requests_partner_created_idx").on(t.partnerId, t.createdAt),
    index("topup_requests_status_idx").on(t.status, t.createdAt),
    check("topup_requests_amount_positive_ck", sql`${t.amount} > 0`),
    check("topup_requests_currency_ck", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("topup_requests_approved_has_transfer_ck", sql`(${t.status} = 'approved') = (${t.transferId} is not null)`),
  ],
);
