import { z } from "zod";
import { defineContract, jsonResponse, timestamp } from "../contract";
import { ENTRY_KINDS } from "@/lib/schemas/dashboard-wallet";
import { currencyCode, decimalString, isoDate, listOf, pagination } from "./common";

// ---- schemas --------------------------------------------------------------------------------

export const wallet = z.object({
  environment: z.enum(["sandbox", "live"]),
  currency: z.string(),
  balance: z.string(),
  updatedAt: timestamp,
});
export const walletList = z.object({ environment: z.enum(["sandbox", "live"]), data: z.array(wallet) });

export const transactionsQuery = z.strictObject({
  ...pagination,
  currency: currencyCode.default("USD"),
  kind: z.enum(ENTRY_KINDS).optional().describe("Only entries of this kind of movement"),
  from: isoDate.optional().describe("Entries created at or after this moment"),
  to: isoDate.optional().describe("Entries created before this moment"),
  reference: z.string().trim().min(1).max(128).optional().describe("Entries whose reference (an order id, a top-up request id…) contains this text, any case"),
});

export const transaction = z.object({
  id: z.string(),
  transferId: z.string().describe("The movement this entry is one side of"),
  kind: z.string(),
  reference: z.string().nullable(),
  amount: z.string().describe("Signed: positive when money arrived, negative when it left"),
  balanceAfter: z.string(),
  currency: z.string(),
  createdAt: timestamp,
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
  createdAt: timestamp,
});
export const topupList = z.object({ data: z.array(topupRequest) });

// ---- examples -------------------------------------------------------------------------------

const pendingTopup = {
  id: "tur_01jd7m9w2b7k",
  status: "pending",
  environment: "live",
  amount: "5000.00",
  currency: "USD",
  note: "PO 4471, wire sent today",
  createdAt: "2026-11-29T09:00:00.000Z",
} as const;

// ---- operations -----------------------------------------------------------------------------

export const getWallet = defineContract({
  method: "GET",
  path: "/api/v1/wallet",
  access: "partner",
  tag: "Wallet",
  summary: "Wallet balances of the key's environment",
  responses: {
    200: jsonResponse(walletList, "One balance per currency", {
      example: { environment: "sandbox", data: [{ environment: "sandbox", currency: "USD", balance: "951.5000", updatedAt: "2026-11-29T10:15:00.000Z" }] },
    }),
  },
});

export const listTransactions = defineContract({
  method: "GET",
  path: "/api/v1/wallet/transactions",
  access: "partner",
  tag: "Wallet",
  summary: "Wallet ledger entries",
  query: transactionsQuery,
  responses: {
    200: jsonResponse(transactionList, "A page of entries, newest first", {
      example: {
        data: [
          {
            id: "ent_01jd7m3k5a",
            transferId: "trf_01jd7m3k59",
            kind: "order_debit",
            reference: "ord_01jd7m3k4x9v2c8q5r6t",
            amount: "-48.5000",
            balanceAfter: "951.5000",
            currency: "USD",
            createdAt: "2026-11-29T10:15:00.000Z",
          },
        ],
        hasMore: true,
        nextCursor: "ent_01jd7m3k5a",
      },
    }),
  },
  errors: [{ code: "invalid_cursor", description: "startingAfter is not an entry of this wallet.", param: "startingAfter" }],
});

export const downloadStatement = defineContract({
  method: "GET",
  path: "/api/v1/wallet/statement.csv",
  access: "partner",
  tag: "Wallet",
  summary: "Statement as CSV (streamed)",
  query: statementQuery,
  responses: {
    200: {
      description: "CSV: date, entry_id, transfer_id, kind, reference, debit, credit, balance, currency.",
      contentType: "text/csv",
      headers: { "x-opening-balance": "Balance at `from`", "x-closing-balance": "Balance at `to`" },
      example:
        "date,entry_id,transfer_id,kind,reference,debit,credit,balance,currency\n2026-11-29T10:15:00.000Z,ent_01jd7m3k5a,trf_01jd7m3k59,order_debit,ord_01jd7m3k4x9v2c8q5r6t,48.50,,951.50,USD\n",
    },
  },
  errors: [
    { code: "resource_not_found", description: "You have no wallet in this currency and environment.", param: "currency" },
    "too_many_downloads",
    "statement_downloads_busy",
  ],
});

export const createTopupRequest = defineContract({
  method: "POST",
  path: "/api/v1/wallet/topup-requests",
  access: "partner",
  tag: "Wallet",
  summary: "Ask for a wallet top-up",
  body: topupBody,
  requestExample: { amount: "5000.00", currency: "USD", note: "PO 4471, wire sent today" },
  responses: { 201: jsonResponse(topupRequest, "The request, pending approval", { example: pendingTopup }) },
});

export const listTopupRequests = defineContract({
  method: "GET",
  path: "/api/v1/wallet/topup-requests",
  access: "partner",
  tag: "Wallet",
  summary: "Your top-up requests",
  responses: { 200: jsonResponse(topupList, "Top-up requests", { example: { data: [pendingTopup] } }) },
});
