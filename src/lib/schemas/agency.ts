import { z } from "zod";
import { createPartnerInput } from "./admin-partners";

/*
 * The agency network's forms (issue 18), one zod schema the browser validates with and the
 * procedure checks: admin.agency.* (convert, revenue share, move) and agency.* (the agent's
 * sub-agents: create, fund, recall, limits, commission payout).
 */

const id = z.string().trim().min(1).max(64);
const reason = z.string().trim().min(1, "Give a reason: it is kept in the audit log.").max(1000, "At most 1000 characters.");
export const environment = z.enum(["sandbox", "live"]);

/** Basis points of the platform margin (1000 = 10 %). */
const revenueShareBps = z
  .number({ message: "Enter the share as a percentage, such as 10." })
  .int("At most two decimals of a percent.")
  .min(0, "The share is between 0 % and 100 %.")
  .max(10_000, "The share is between 0 % and 100 %.");

export const convertToAgentInput = z.object({ partnerId: id, revenueShareBps, reason: z.string().trim().max(1000).optional() });
export const revenueShareInput = z.object({ agentId: id, revenueShareBps, reason });
export const moveSubAgentInput = z.object({ subAgentId: id, toAgentId: id.min(1, "Choose the agent to move it to."), reason });

/** A sub-agent's business and its owner's address (invited by email). */
export const createSubAgentInput = createPartnerInput.omit({ registrationNumber: true });

const amount = z
  .string()
  .trim()
  .regex(/^\d{1,15}(\.\d{1,4})?$/, "Enter an amount such as 200.00 (at most 4 decimals).")
  .refine((s) => !/^0+(\.0+)?$/.test(s), "The amount must be more than zero.");
const optionalAmount = z
  .string()
  .trim()
  .regex(/^(\d{1,15}(\.\d{1,4})?)?$/, "Enter an amount such as 500.00, or leave it empty for no limit.")
  .optional();
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "Use a 3-letter currency code like USD.");

/** Fund or recall: the amount moves once per idempotency key (made when the dialog opens). */
export const moneyMoveInput = z.object({
  environment,
  subAgentId: id,
  currency,
  amount,
  idempotencyKey: z.string().min(8).max(100),
  note: z.string().trim().max(500).optional(),
});

export const payoutInput = moneyMoveInput.omit({ subAgentId: true });

export const limitsInput = z.object({
  subAgentId: id,
  currency,
  dailyCap: optionalAmount,
  perOrderCap: optionalAmount,
  lowBalanceThreshold: optionalAmount,
});
