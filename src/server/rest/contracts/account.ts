import { z } from "zod";
import { isoDate, listOf, pagination } from "./common";

export const apiKey = z.object({
  id: z.string(),
  name: z.string().nullable(),
  environment: z.enum(["sandbox", "live"]),
  mode: z.enum(["test", "live"]),
  start: z.string().describe("The first characters of the key, to recognise it"),
  ipAllowlist: z.array(z.string()),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: z.enum(["active", "rotating", "expired", "revoked"]),
});
export const apiKeyList = z.object({ data: z.array(apiKey) });

export const rotateKeyBody = z.strictObject({
  overlapSeconds: z.number().int().min(0).max(30 * 24 * 3600).default(24 * 3600),
});
export const rotatedKey = z.object({ key: apiKey, secret: z.string().describe("Shown once"), previous: apiKey });

export const logsQuery = z.strictObject({
  ...pagination,
  status: z.coerce.number().int().min(100).max(599).optional(),
  method: z.enum(["GET", "POST", "PATCH", "PUT", "DELETE"]).optional(),
  path: z.string().max(200).optional(),
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
  createdAt: z.string(),
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

// The signup body lives with the signup page, which validates with it inline.
export { signupBody } from "@/lib/schemas/signup";

export const signupResult = z.object({
  partner: z.object({ id: z.string(), companyName: z.string(), country: z.string().nullable(), environment: z.literal("sandbox") }),
  apiKey: z.object({ id: z.string(), start: z.string(), secret: z.string().describe("stlr_test_…, shown once") }),
  sandboxBalance: z.object({ amount: z.string(), currency: z.string() }),
});
