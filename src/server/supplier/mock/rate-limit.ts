import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";

export type MockCallKind = "catalog" | "accounts" | "place_order" | "get_order";

export interface MockTokenBucket {
  perSecond: number;
  burst: number;
}

/**
 * Token bucket per kind: `perSecond` refill, `burst` capacity (one call of slack over the vendor's
 * limit for network jitter). `place_order_product`, when present, is Bamboo's "about 6 placements
 * per product per minute": one bucket per (client, product), taken for every product of a placement.
 */
export type MockRateLimits = Record<MockCallKind, MockTokenBucket> & { place_order_product?: MockTokenBucket };

export const MOCK_RATE_LIMITS: MockRateLimits = {
  place_order: { perSecond: 2, burst: 3 },
  get_order: { perSecond: 2, burst: 10 },
  catalog: { perSecond: 1, burst: 2 },
  accounts: { perSecond: 1, burst: 2 },
};

/**
 * Bamboo's per-product placement limit as a bucket: 6 a minute, one call of slack. Not part of
 * MOCK_RATE_LIMITS (tests that place many orders of one product without per-product spacing keep
 * working); the built-in mock enforces it (MOCK_VENDOR_PRODUCT_PLACEMENTS_PER_MINUTE).
 */
export const MOCK_PRODUCT_PLACEMENT_LIMIT: MockTokenBucket = productPlacementLimit(6);

/** The per-product bucket for `perMinute` placements a minute, with one call of slack. */
export function productPlacementLimit(perMinute: number): MockTokenBucket {
  return { perSecond: perMinute / 60, burst: 2 };
}

/** Takes a token from `key`'s bucket; null when allowed, else the whole seconds to wait. */
export async function takeMockToken(db: DbOrTx, key: string, limit: MockTokenBucket): Promise<number | null> {
  const refilled = sql`least(${limit.burst}::float8, l.tokens + extract(epoch from clock_timestamp() - l.updated_at)::float8 * ${limit.perSecond}::float8)`;
  const taken = await db.execute(sql`
    insert into mock_vendor_rate_limits as l (key, tokens, updated_at) values (${key}, ${limit.burst - 1}::float8, clock_timestamp())
    on conflict (key) do update set tokens = ${refilled} - 1, updated_at = clock_timestamp()
    where ${refilled} >= 1
    returning 1`);
  if (taken.length > 0) return null;
  const [row] = await db.execute<{ tokens: number }>(sql`select ${refilled} as tokens from mock_vendor_rate_limits l where key = ${key}`);
  return Math.max(1, Math.ceil((1 - (row?.tokens ?? 0)) / limit.perSecond));
}
