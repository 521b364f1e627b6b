import { eq } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { type Amount, compareAmounts, type Currency, InvalidAmountError, parseCurrency, parsePositiveAmount } from "@/lib/money";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db/client";
import { ledgerAccounts } from "@/server/db/schema";
import { findTransferByReference, getOrCreateWallet, InsufficientFundsError, type LedgerEnvironment, transfer, type TransferKind } from "@/server/ledger";
import { getOrCreateCommissionAccount } from "@/server/ledger/commission";
import { requireAgent, requireOwnSubAgent } from "./hierarchy";

/*
 * Money between an agent and its sub-agents (issue 18), always a ledger transfer between two
 * partner-owned accounts of one environment and currency, so nothing is created or lost:
 *  - fund: agent wallet → sub-agent wallet (`agent_funding`), never more than the agent holds;
 *  - recall: sub-agent wallet → agent wallet (`agent_recall`), never more than the sub-agent
 *    holds (the wallet's non-negative rule, checked under the row lock by ledger_transfer);
 *  - commission payout: agent commission account → agent wallet (`commission_payout`), never
 *    more than the commission account holds.
 * Each is idempotent on the agent's key (reference `<agentId>:<key>`): a double click, a retry
 * after a timeout, moves the money once; the same key for another movement is a conflict. The
 * audit entry is written in the transfer's transaction, only when money moved.
 */

interface Movement {
  agentId: string;
  environment: LedgerEnvironment;
  currency: Currency;
  amount: Amount;
  /** Made once per attempt by the client (a dialog opening): the same key never moves money twice. */
  idempotencyKey: string;
  actor: string;
  ip?: string | null;
  note?: string | null;
}

function checked(input: Movement) {
  let amount: Amount;
  try {
    amount = parsePositiveAmount(input.amount);
  } catch (e) {
    if (e instanceof InvalidAmountError)
      throw new DomainError("invalid_amount", "Enter a positive amount with at most 4 decimals, such as 200.00.", { param: "amount" });
    throw e;
  }
  const currency = parseCurrency(input.currency);
  const key = input.idempotencyKey.trim();
  if (!/^[A-Za-z0-9_.:-]{8,100}$/.test(key))
    throw new DomainError("invalid_parameter", "idempotencyKey must be 8 to 100 letters, digits or _.:-", { param: "idempotencyKey" });
  return { amount, currency, reference: `${input.agentId}:${key}` };
}

async function move(
  db: Db,
  input: Movement,
  spec: {
    kind: TransferKind;
    action: string;
    subAgentId?: string;
    accounts: (tx: Parameters<Parameters<Db["transaction"]>[0]>[0]) => Promise<{ debit: string; credit: string; debitBalance?: () => Promise<Amount> }>;
    short: (available: Amount, currency: Currency) => DomainError;
  },
) {
  const { amount, currency, reference } = checked(input);
  return db.transaction(async (tx) => {
    await requireAgent(tx, input.agentId);
    if (spec.subAgentId) await requireOwnSubAgent(tx, input.agentId, spec.subAgentId);
    const { debit, credit, debitBalance } = await spec.accounts(tx);
    if (debitBalance) {
      // Locked first, then the replay looked up (a fresh snapshot: a concurrent double click that
      // committed is found and returned, not refused for the balance it already spent).
      const available = await debitBalance();
      const replay = await findTransferByReference(tx, spec.kind, reference);
      if (!replay && compareAmounts(available, amount) < 0) throw spec.short(available, currency);
    }
    let result: Awaited<ReturnType<typeof transfer>>;
    try {
      result = await transfer(tx, {
        kind: spec.kind,
        amount,
        currency,
        debitAccountId: debit,
        creditAccountId: credit,
        reference,
        actor: input.actor,
        metadata: { agentId: input.agentId, ...(spec.subAgentId ? { subAgentId: spec.subAgentId } : {}), ...(input.note ? { note: input.note } : {}) },
      });
    } catch (e) {
      if (e instanceof InsufficientFundsError) {
        const [row] = await tx.select({ balance: ledgerAccounts.balance }).from(ledgerAccounts).where(eq(ledgerAccounts.id, debit));
        throw spec.short(row?.balance ?? "0.0000", currency);
      }
      throw e;
    }
    if (result.created) {
      await recordAudit(tx, {
        actor: input.actor,
        partnerId: input.agentId,
        action: spec.action,
        targetType: spec.subAgentId ? "partner" : "ledger_account",
        targetId: spec.subAgentId ?? debit,
        metadata: { transferId: result.transfer.id, amount, currency, environment: input.environment },
        reason: input.note?.trim() || null,
        ip: input.ip,
      });
    }
    const balances = await tx
      .select({ id: ledgerAccounts.id, balance: ledgerAccounts.balance })
      .from(ledgerAccounts)
      .where(eq(ledgerAccounts.id, debit))
      .union(tx.select({ id: ledgerAccounts.id, balance: ledgerAccounts.balance }).from(ledgerAccounts).where(eq(ledgerAccounts.id, credit)));
    const balanceOf = (id: string) => balances.find((b) => b.id === id)?.balance ?? "0.0000";
    return { transfer: result.transfer, created: result.created, debitBalance: balanceOf(debit), creditBalance: balanceOf(credit) };
  });
}

/** The agent funds its sub-agent from its wallet (same environment and currency). */
export async function fundSubAgent(db: Db, input: Movement & { subAgentId: string }) {
  return move(db, input, {
    kind: "agent_funding",
    action: "agency.sub_agent_funded",
    subAgentId: input.subAgentId,
    accounts: async (tx) => {
      const [a, s] = await Promise.all([
        getOrCreateWallet(tx, input.agentId, input.environment, input.currency),
        getOrCreateWallet(tx, input.subAgentId, input.environment, input.currency),
      ]);
      return { debit: a.id, credit: s.id };
    },
    short: (available, currency) =>
      new DomainError("insufficient_funds", `Your ${currency} wallet holds ${available} ${currency}: you can fund at most that. Nothing was moved.`, {
        param: "amount",
      }),
  });
}

/** The agent takes unused funds back from its sub-agent's wallet; never more than the sub-agent holds. */
export async function recallFromSubAgent(db: Db, input: Movement & { subAgentId: string }) {
  return move(db, input, {
    kind: "agent_recall",
    action: "agency.sub_agent_recalled",
    subAgentId: input.subAgentId,
    accounts: async (tx) => {
      const [a, s] = await Promise.all([
        getOrCreateWallet(tx, input.agentId, input.environment, input.currency),
        getOrCreateWallet(tx, input.subAgentId, input.environment, input.currency),
      ]);
      return { debit: s.id, credit: a.id };
    },
    short: (available, currency) =>
      new DomainError(
        "insufficient_funds",
        `The sub-agent's ${currency} wallet holds ${available} ${currency}: you can recall at most that. Nothing was moved.`,
        { param: "amount" },
      ),
  });
}

/**
 * The agent moves earned commission into its wallet. The commission account (which may be below
 * zero after reversals) is locked and must hold the amount.
 */
export async function payoutCommission(db: Db, input: Movement) {
  return move(db, input, {
    kind: "commission_payout",
    action: "agency.commission_paid_out",
    accounts: async (tx) => {
      const [c, w] = await Promise.all([
        getOrCreateCommissionAccount(tx, input.agentId, input.environment, input.currency),
        getOrCreateWallet(tx, input.agentId, input.environment, input.currency),
      ]);
      return {
        debit: c.id,
        credit: w.id,
        debitBalance: async () => {
          const [row] = await tx.select({ balance: ledgerAccounts.balance }).from(ledgerAccounts).where(eq(ledgerAccounts.id, c.id)).for("update");
          return row!.balance;
        },
      };
    },
    short: (available, currency) =>
      new DomainError(
        "insufficient_funds",
        `Your ${currency} commission account holds ${available} ${currency}: you can move at most that. Nothing was moved.`,
        {
          param: "amount",
        },
      ),
  });
}
