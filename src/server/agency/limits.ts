import { and, eq } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { type Amount, type Currency, InvalidAmountError, parseAmount, parseCurrency } from "@/lib/money";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx } from "@/server/db/client";
import { agencyLimits } from "@/server/db/schema";
import { requireOwnSubAgent } from "./hierarchy";

/*
 * A sub-agent's limits, set by its agent per currency: a per-order cap and a daily cap on what
 * its sales cost its wallet, and a low-balance threshold. The caps are enforced by the order
 * creation statement itself (agency_sale_check, drizzle/0027), so the REST API and the dashboard
 * are held to them alike and two concurrent sales cannot both pass the daily cap.
 */

export interface SubAgentLimits {
  currency: Currency;
  dailyCap: Amount | null;
  perOrderCap: Amount | null;
  lowBalanceThreshold: Amount | null;
  updatedAt: Date | null;
}

function optionalAmount(value: string | null | undefined, param: string, allowZero = false): Amount | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  try {
    return parseAmount(value.trim(), { allowZero });
  } catch (e) {
    if (e instanceof InvalidAmountError)
      throw new DomainError("invalid_amount", "Enter a positive amount with at most 4 decimals, or leave it empty for no limit.", { param });
    throw e;
  }
}

/** Sets (or clears, with nulls) the sub-agent's limits in one currency; audited with before and after. */
export async function setLimits(
  db: Db,
  input: {
    agentId: string;
    subAgentId: string;
    currency: Currency;
    dailyCap?: string | null;
    perOrderCap?: string | null;
    lowBalanceThreshold?: string | null;
    actor: string;
    ip?: string | null;
  },
): Promise<SubAgentLimits> {
  const currency = parseCurrency(input.currency);
  const next = {
    dailyCap: optionalAmount(input.dailyCap, "dailyCap"),
    perOrderCap: optionalAmount(input.perOrderCap, "perOrderCap"),
    lowBalanceThreshold: optionalAmount(input.lowBalanceThreshold, "lowBalanceThreshold", true),
  };
  return db.transaction(async (tx) => {
    await requireOwnSubAgent(tx, input.agentId, input.subAgentId);
    const [before] = await tx
      .select()
      .from(agencyLimits)
      .where(and(eq(agencyLimits.partnerId, input.subAgentId), eq(agencyLimits.currency, currency)))
      .for("update");
    const [row] = await tx
      .insert(agencyLimits)
      .values({ partnerId: input.subAgentId, currency, ...next, updatedBy: input.actor })
      .onConflictDoUpdate({ target: [agencyLimits.partnerId, agencyLimits.currency], set: { ...next, updatedBy: input.actor, updatedAt: new Date() } })
      .returning();
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.agentId,
      action: "agency.limits_set",
      targetType: "partner",
      targetId: input.subAgentId,
      before: before ? { currency, dailyCap: before.dailyCap, perOrderCap: before.perOrderCap, lowBalanceThreshold: before.lowBalanceThreshold } : null,
      after: { currency, ...next },
      ip: input.ip,
    });
    return { currency, dailyCap: row!.dailyCap, perOrderCap: row!.perOrderCap, lowBalanceThreshold: row!.lowBalanceThreshold, updatedAt: row!.updatedAt };
  });
}

/** The sub-agent's limits, per currency. */
export async function getLimits(db: DbOrTx, subAgentId: string): Promise<SubAgentLimits[]> {
  const rows = await db.select().from(agencyLimits).where(eq(agencyLimits.partnerId, subAgentId)).orderBy(agencyLimits.currency);
  return rows.map((r) => ({
    currency: r.currency,
    dailyCap: r.dailyCap,
    perOrderCap: r.perOrderCap,
    lowBalanceThreshold: r.lowBalanceThreshold,
    updatedAt: r.updatedAt,
  }));
}
