import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { sharedRateLimitRedis, takeRedisToken, warnRedis, type RateLimitRedis } from "./rate-limit-redis";

export interface BucketRule {
  /** Bucket size: the burst a client may send at once. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until a token is available (0 when allowed), and until the bucket is full. */
  retryAfterSeconds: number;
  resetSeconds: number;
}

/**
 * Takes one token from the shared bucket `key`: in Redis when `REDIS_URL` is set, otherwise in
 * Postgres. Both backends implement the same bucket and give the same decision and headers.
 * If Redis fails or is slow (see rate-limit-redis.ts for the bounds), this request uses the
 * Postgres bucket of the same key instead and one line is logged (at most once a minute): during
 * a Redis outage the Postgres buckets enforce the limit (a client may get one extra burst at the
 * switch), and an outage never turns into an error for the client.
 */
export async function takeToken(db: DbOrTx, key: string, rule: BucketRule): Promise<RateDecision> {
  return takeTokenWith(sharedRateLimitRedis(), db, key, rule);
}

/** `takeToken` with an explicit Redis connection (null: Postgres only). */
export async function takeTokenWith(redis: RateLimitRedis | null, db: DbOrTx, key: string, rule: BucketRule): Promise<RateDecision> {
  if (redis) {
    try {
      return await takeTokenRedis(redis, key, rule);
    } catch (error) {
      warnRedis("unavailable for a rate-limit check", error);
    }
  }
  return takeTokenPostgres(db, key, rule);
}

/** The token bucket in Redis (a Lua script on the Redis clock); throws when Redis cannot answer. */
export async function takeTokenRedis(redis: RateLimitRedis, key: string, rule: BucketRule): Promise<RateDecision> {
  const { taken, tokens } = await takeRedisToken(redis, key, rule);
  return decision(rule, taken, tokens);
}

/**
 * A token bucket kept in Postgres, so every app instance shares it: one statement refills the
 * bucket for the time elapsed and takes a token only if one is there.
 */
export async function takeTokenPostgres(db: DbOrTx, key: string, rule: BucketRule): Promise<RateDecision> {
  const rows = await db.execute<{ tokens: string; taken: boolean }>(sql`
    with prev as (select tokens, updated_at from rate_limit_buckets where key = ${key}),
    up as (
      insert into rate_limit_buckets as b (key, tokens, updated_at)
      values (${key}, ${rule.capacity - 1}, clock_timestamp())
      on conflict (key) do update set
        tokens = least(${rule.capacity}::numeric, b.tokens + extract(epoch from clock_timestamp() - b.updated_at)::numeric * ${rule.refillPerSecond}) - 1,
        updated_at = clock_timestamp()
      where least(${rule.capacity}::numeric, b.tokens + extract(epoch from clock_timestamp() - b.updated_at)::numeric * ${rule.refillPerSecond}) >= 1
      returning tokens
    )
    select tokens::text, true as taken from up
    union all
    select least(${rule.capacity}::numeric, tokens + extract(epoch from clock_timestamp() - updated_at)::numeric * ${rule.refillPerSecond})::text, false
    from prev where not exists (select 1 from up)`);
  const row = rows[0];
  return row ? decision(rule, row.taken, Number.parseFloat(row.tokens)) : decision(rule, true, rule.capacity - 1);
}

/** The answer for a bucket left with `tokens` (fractional) after a request was `allowed` or not. */
function decision(rule: BucketRule, allowed: boolean, tokens: number): RateDecision {
  const remaining = Math.max(0, Math.floor(tokens));
  const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / rule.refillPerSecond));
  const resetSeconds = Math.max(0, Math.ceil((rule.capacity - tokens) / rule.refillPerSecond));
  return { allowed, limit: rule.capacity, remaining, retryAfterSeconds, resetSeconds };
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(d.limit),
    "RateLimit-Remaining": String(d.remaining),
    "RateLimit-Reset": String(d.allowed ? d.resetSeconds : d.retryAfterSeconds),
    ...(d.allowed ? {} : { "Retry-After": String(d.retryAfterSeconds) }),
  };
}
