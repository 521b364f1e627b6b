import { z } from "zod";
import { currencyCode, decimalString, isoDate, listOf, pagination } from "./common";

export const wallet = z.object({
  environment: z.enum(["sandbox", "live"]),
  currency: z.string(),
  balance: z.string(),
  updatedAt: z.string(),
});
export const walletList = z.object({ environment: z.enum(["sandbox", "live"]), data: z.array(wallet) });

export const transactionsQuery = z.strictObject({ ...pagination, currency: currencyCode.default("USD") });

export const transaction = z.object({
  id: z.string(),
  kind: z.string(),
  reference: z.string().nullable(),
  amount: z.string().describe("Signed: positive when money arrived, negative when it left"),
  balanceAfter: z.string(),
  currency: z.string(),
  createdAt: z.string(),
});
export const transactionList = listOf(transaction);

export const statementQuery = z.strictObject({ currency: currencyCode.default("USD"), from: isoDate, to: isoDate });

export const topupBody = z.strictObject({
  amount: decimalString,
  currency: currencyCode.default("USD"),
  note: z.string().max(500).optional(),
});
export const topupRequest = z.object({
  id: z.string(),
  status: z.enum(["pending", "approved", "rejected"]),
  environment: z.enum(["sandbox", "live"]),
  amount: z.string(),
  currency: z.string(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export const topupList = z.object({ data: z.array(topupRequest) });
