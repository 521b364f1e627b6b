import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { apiKeyFromRow, apiKeyLookup, type FoundApiKey } from "@/server/keys";
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
 * The API key stored with `hash` (the keys module's `apiKeyLookup`) and, in the same statement
 * (one round trip per request), up to `want` tokens from its Postgres bucket `key:<id>`, taken
 * only when the key is usable (not revoked, partner active). `decision` and `taken` mean
 * something only for a usable key; the caller still judges the key (`judgeApiKey`).
 */
export async function findApiKeyTakingTokens(
  db: DbOrTx,
  hash: string,
  rule: BucketRule,
  want = 1,
): Promise<{ found: FoundApiKey | null; decision: RateDecision; taken: number }> {
  const [row] = await db.execute<Record<string, unknown> & BucketRow>(
    sql`with k as (${apiKeyLookup(hash)}), ${bucketCtes(sql`(select 'key:' || id from k)`, rule, sql`exists (select 1 from k where usable)`, want)}
        select k.*, ${bucketResult(rule)} from k`,
  );
  if (!row) return { found: null, decision: decision(rule, false, 0), taken: 0 };
  const { taken, ...d } = bucketDecision(rule, row);
  return { found: apiKeyFromRow(row), decision: d, taken };
}

/**
 * The Postgres token bucket as common table expressions `prev` and `up`, for one statement of
 * this module: refills the bucket named by `bucket` (an SQL expression) for the time elapsed and,
 * if `when` holds and a whole token is there, takes up to `want` tokens (as many as there are).
 * Select `bucketResult` from them.
 */
function bucketCtes(bucket: SQL, rule: BucketRule, when: SQL = sql`true`, want = 1): SQL {
  const refilled = refilledTokens(rule, "b");
  const n = Math.max(1, Math.min(Math.floor(want), Math.floor(rule.capacity)));
  return sql`prev as (select tokens, updated_at from rate_limit_buckets where key = ${bucket}),
    up as (
      insert into rate_limit_buckets as b (key, tokens, updated_at, taken)
      select ${bucket}, ${rule.capacity - n}, clock_timestamp(), ${n} where ${when}
      on conflict (key) do update set
        taken = least(${sql.raw(String(n))}, floor(${refilled})),
        tokens = ${refilled} - least(${sql.raw(String(n))}, floor(${refilled})),
        updated_at = clock_timestamp()
      where ${refilled} >= 1
      returning tokens, taken
    )`;
}

/**
 * Columns `taken_tokens` (tokens were taken: what is left), `taken_count` (how many) and
 * `refused_tokens` (none were: what there is).
 */
const bucketResult = (rule: BucketRule) =>
  sql`(select tokens::text from up) as taken_tokens, (select taken from up) as taken_count,
    (select ${refilledTokens(rule, "p")}::text from prev p where not exists (select 1 from up)) as refused_tokens`;

/** The tokens of bucket row `t` refilled for the time since its last update (capped at capacity). */
function refilledTokens(rule: BucketRule, t: "b" | "p"): SQL {
  const capacity = Number(rule.capacity);
  const perSecond = Number(rule.refillPerSecond);
  return sql.raw(`least(${capacity}::numeric, ${t}.tokens + extract(epoch from clock_timestamp() - ${t}.updated_at)::numeric * ${perSecond})`);
}

type BucketRow = {
  taken_tokens: string | null;
  taken_count: number | null;
  refused_tokens: string | null;
};

/** The decision from `bucketResult`, and how many tokens were taken (0 when refused). */
function bucketDecision(rule: BucketRule, row: BucketRow): RateDecision & { taken: number } {
  if (row.taken_tokens !== null) return { ...decision(rule, true, Number.parseFloat(row.taken_tokens)), taken: Number(row.taken_count ?? 1) };
  if (row.refused_tokens !== null) return { ...decision(rule, false, Number.parseFloat(row.refused_tokens)), taken: 0 };
  return { ...decision(rule, true, rule.capacity - 1), taken: 1 };
}

/**
 * A token bucket kept in Postgres, so every app instance shares it: one statement refills the
 * bucket for the time elapsed and takes a token only if one is there.
 */
export async function takeTokenPostgres(db: DbOrTx, key: string, rule: BucketRule): Promise<RateDecision> {
  const rows = await db.execute<BucketRow>(sql`with ${bucketCtes(sql`${key}`, rule)} select ${bucketResult(rule)}`);
  const { taken: _taken, ...d } = bucketDecision(rule, rows[0]!);
  return d;
}

/** The answer for a bucket left with `tokens` (fractional) after a request was `allowed` or not. */
export function decision(rule: BucketRule, allowed: boolean, tokens: number): RateDecision {
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
