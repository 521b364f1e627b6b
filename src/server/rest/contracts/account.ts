import { z } from "zod";
import { LOG_METHODS, STATUS_CLASSES } from "@/lib/schemas/request-logs";
// The signup body lives with the signup page, which validates with it inline.
import { signupBody } from "@/lib/schemas/signup";
import { defineContract, jsonResponse, timestamp } from "../contract";
import { idParam, isoDate, listOf, pagination } from "./common";

// ---- schemas --------------------------------------------------------------------------------

export const apiKey = z.object({
  id: z.string(),
  name: z.string().nullable(),
  environment: z.enum(["sandbox", "live"]),
  mode: z.enum(["test", "live"]),
  start: z.string().describe("The first characters of the key, to recognise it"),
  ipAllowlist: z.array(z.string()),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  status: z.enum(["active", "rotating", "expired", "revoked"]),
});
export const apiKeyList = z.object({ data: z.array(apiKey) });

export const rotateKeyBody = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .default(24 * 3600),
});
export const rotatedKey = z.object({ key: apiKey, secret: z.string().describe("Shown once"), previous: apiKey });

export const logsQuery = z.strictObject({
  ...pagination,
  status: z.coerce.number().int().min(100).max(599).optional(),
  statusClass: z.enum(STATUS_CLASSES).optional().describe("2xx, 4xx or 5xx: every status of the class"),
  method: z.enum(LOG_METHODS).optional(),
  path: z.string().max(200).optional(),
  keyId: z.string().max(64).optional().describe("The requests made with one of your keys (its id); another partner's key is resource_not_found"),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
export const requestLog = z.object({
  id: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  latencyMs: z.number().int(),
  keyStart: z.string().nullable(),
  ip: z.string(),
  requestId: z.string(),
  errorCode: z.string().nullable(),
  createdAt: timestamp,
});
export const requestLogList = listOf(requestLog);

export const usageQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(365).default(30) });
export const usage = z.object({
  days: z.number().int(),
  totals: z.object({ orders: z.number().int(), completed: z.number().int(), failed: z.number().int() }),
  spend: z.array(z.object({ currency: z.string(), spend: z.string() })),
  topProducts: z.array(z.object({ sku: z.string(), currency: z.string(), orders: z.number().int(), cards: z.number().int(), spend: z.string() })),
  byDay: z.array(z.object({ day: z.string(), currency: z.string(), orders: z.number().int(), spend: z.string() })),
});

export const signupResult = z.object({
  partner: z.object({ id: z.string(), companyName: z.string(), country: z.string().nullable(), environment: z.literal("sandbox") }),
  apiKey: z.object({ id: z.string(), start: z.string(), secret: z.string().describe("stlr_test_…, shown once") }),
  sandboxBalance: z.object({ amount: z.string(), currency: z.string() }),
});

// ---- examples -------------------------------------------------------------------------------

const keyExample = {
  id: "key_01jd7kz2m4",
  name: "Production server",
  environment: "sandbox",
  mode: "test",
  start: "stlr_test_4fQ",
  ipAllowlist: [],
  createdAt: "2026-11-01T08:00:00.000Z",
  lastUsedAt: "2026-11-29T10:15:00.000Z",
  expiresAt: null,
  revokedAt: null,
  status: "active",
} as const;
const notSelf = { code: "key_not_self", param: "id" } as const;
const noKey = { code: "resource_not_found", description: "No such key of yours in this environment", param: "id" } as const;

// ---- operations -----------------------------------------------------------------------------

export const listLogs = defineContract({
  method: "GET",
  path: "/api/v1/logs",
  access: "partner",
  tag: "Account",
  summary: "Your API request logs",
  query: logsQuery,
  errors: [{ code: "resource_not_found", description: "keyId is not one of your keys.", param: "keyId" }],
  responses: {
    200: jsonResponse(requestLogList, "A page of request logs", {
      example: {
        data: [
          {
            id: "rlg_01jd7m3k6c",
            method: "POST",
            path: "/api/v1/orders",
            status: 202,
            latencyMs: 18,
            keyStart: "stlr_test_4fQ",
            ip: "203.0.113.7",
            requestId: "req_5f1c2a9e0b7d4c3a8e6f1b2d",
            errorCode: null,
            createdAt: "2026-11-29T10:15:00.000Z",
          },
        ],
        hasMore: false,
        nextCursor: null,
      },
    }),
  },
});

export const getUsage = defineContract({
  method: "GET",
  path: "/api/v1/usage",
  access: "partner",
  tag: "Account",
  summary: "Orders, spend and top products",
  query: usageQuery,
  responses: {
    200: jsonResponse(usage, "Usage", {
      example: {
        days: 30,
        totals: { orders: 12, completed: 11, failed: 1 },
        spend: [{ currency: "USD", spend: "291.0000" }],
        topProducts: [{ sku: "AMZ-US-25", currency: "USD", orders: 12, cards: 12, spend: "291.0000" }],
        byDay: [{ day: "2026-11-29", currency: "USD", orders: 12, spend: "291.0000" }],
      },
    }),
  },
});

export const listKeys = defineContract({
  method: "GET",
  path: "/api/v1/keys",
  access: "partner",
  tag: "Account",
  summary: "Your API keys (prefixes only)",
  responses: { 200: jsonResponse(apiKeyList, "Keys", { example: { data: [keyExample] } }) },
});

export const rotateKey = defineContract({
  method: "POST",
  path: "/api/v1/keys/{id}/rotate",
  access: "partner",
  tag: "Account",
  summary: "Rotate an API key",
  description:
    "Returns a new secret (shown once). The old key keeps working for overlapSeconds (default 24 h; 0 stops it now). A key rotates only itself: other keys are managed in the dashboard.",
  params: idParam("key"),
  body: rotateKeyBody,
  requestExample: { overlapSeconds: 3600 },
  responses: {
    201: jsonResponse(rotatedKey, "The new key and its secret", {
      example: {
        key: { ...keyExample, id: "key_01jd7n0q8r", start: "stlr_test_9Zk", createdAt: "2026-11-29T10:20:00.000Z", lastUsedAt: null },
        secret: "stlr_test_9Zk…(shown once)",
        previous: { ...keyExample, expiresAt: "2026-11-29T11:20:00.000Z", status: "rotating" },
      },
    }),
  },
  errors: [notSelf, noKey],
});

export const revokeKey = defineContract({
  method: "POST",
  path: "/api/v1/keys/{id}/revoke",
  access: "partner",
  tag: "Account",
  summary: "Revoke the API key making the request",
  description: "Ends the key at once (requests with it answer 401 revoked_api_key). A key revokes only itself: other keys are managed in the dashboard.",
  params: idParam("key"),
  responses: { 200: jsonResponse(apiKey, "The revoked key", { example: { ...keyExample, revokedAt: "2026-11-29T10:30:00.000Z", status: "revoked" } }) },
  errors: [notSelf, noKey],
});

export const signUp = defineContract({
  method: "POST",
  path: "/api/v1/public/signup",
  access: "public",
  tag: "Signup",
  summary: "Create a partner account with a sandbox key",
  description: "No API key. Rate-limited per IP. The sandbox wallet starts with fake USD so you can order at once.",
  body: signupBody,
  requestExample: {
    companyName: "Acme Rewards Ltd",
    contactName: "Ada Lovelace",
    email: "ada@acme-rewards.example",
    password: "correct horse battery",
    country: "GB",
  },
  responses: {
    201: jsonResponse(signupResult, "The partner and its sandbox key (shown once)", {
      example: {
        partner: { id: "ptn_01jd7kx0a1", companyName: "Acme Rewards Ltd", country: "GB", environment: "sandbox" },
        apiKey: { id: "key_01jd7kz2m4", start: "stlr_test_4fQ", secret: "stlr_test_4fQ…(shown once)" },
        sandboxBalance: { amount: "1000.0000", currency: "USD" },
      },
    }),
  },
  errors: [
    { code: "email_taken", param: "email" },
    { code: "rate_limited", description: "Too many signups from your address: retry after Retry-After seconds." },
  ],
});
