import { Redis } from "ioredis";
import { env } from "@/lib/env";
import { peekProcessSingleton, replaceProcessSingleton } from "@/lib/process-singletons";

/** A token bucket's size and refill rate (the same shape as rate-limit.ts's BucketRule, which imports this file). */
interface BucketRule {
  capacity: number;
  refillPerSecond: number;
}

/**
 * The Redis backend of the API rate limiter, used when `REDIS_URL` is set (Postgres otherwise,
 * and Postgres again for any request Redis cannot answer quickly).
 *
 * Why a Lua script rather than rate-limiter-flexible: that library's Redis limiters count
 * requests in fixed windows, which answers differently from the Postgres token bucket (a burst
 * at the end of one window and the start of the next gets twice the capacity; the remaining
 * count and reset time mean something else). This script is the Postgres statement, line for
 * line, so the two backends give the same decisions and headers for the same sequence:
 *
 * - a bucket holds `capacity` tokens at most and gains `refillPerSecond` per second, fractions kept;
 * - a request takes one token only if at least one is there; a refused request changes nothing;
 * - a bucket seen for the first time starts full (so the first request leaves `capacity - 1`);
 * - the count left after a take is rounded to 4 decimals, as the Postgres `numeric(12,4)` column
 *   stores it (microsecond timestamps on both sides, too);
 * - the clock is the Redis server's `TIME`, not the app's, so instances with skewed clocks agree
 *   (as Postgres uses its own `clock_timestamp()`);
 * - the key expires when the bucket would be full again: an absent key and a full bucket are
 *   the same thing, so idle buckets vanish without a cleanup job.
 *
 * The script runs atomically in Redis, so concurrent requests from any number of instances
 * never take the same token twice. It returns `{ taken (1|0), tokens }` with `tokens` as a
 * string, because Redis truncates Lua numbers to integers in replies.
 */
const TOKEN_BUCKET_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = capacity
if state[1] and state[2] then
  local elapsed = (now - tonumber(state[2])) / 1000000
  if elapsed < 0 then elapsed = 0 end
  tokens = math.min(capacity, tonumber(state[1]) + elapsed * rate)
end
if tokens < 1 then
  return {0, string.format('%.17g', tokens)}
end
tokens = math.floor((tokens - 1) * 10000 + 0.5) / 10000
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
local ttl = math.ceil((capacity - tokens) / rate * 1000)
if ttl < 1 then ttl = 1 end
if ttl > 1e15 then ttl = 1e15 end
redis.call('PEXPIRE', KEYS[1], string.format('%.17g', ttl))
return {1, string.format('%.17g', tokens)}
`;

/** Bucket keys live under this prefix, so the limiter can share a Redis with other uses. */
export const REDIS_KEY_PREFIX = "steller:ratelimit:";

/** A refused connection fails at once; a silent or slow Redis costs a request at most this. */
const CONNECT_TIMEOUT_MS = 1_000;
const COMMAND_TIMEOUT_MS = 500;

type ScriptedRedis = Redis & {
  stellerTakeToken(key: string, capacity: number, refillPerSecond: number): Promise<[number, string]>;
};

/** One Redis connection for the rate limiter, and when its first connection attempt settled. */
export interface RateLimitRedis {
  readonly client: Redis;
  /** Resolves (never rejects) once the first connection succeeded, failed or timed out. */
  readonly firstConnect: Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a connection that never makes a request wait on a dead Redis: no offline queue
 * (commands fail at once while disconnected), a short connect and command timeout, one retry,
 * and reconnection in the background with a capped backoff.
 */
export function createRateLimitRedis(url: string): RateLimitRedis {
  const client = new Redis(url, {
    connectionName: "steller-rate-limit",
    enableOfflineQueue: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  client.defineCommand("stellerTakeToken", { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
  // Without a listener ioredis prints every failed reconnect; this says it once a minute at most.
  client.on("error", (error: unknown) => warnRedis("connection error", error));
  const firstConnect = new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      client.off("error", done);
      client.off("end", done);
      resolve();
    };
    const timer = setTimeout(done, CONNECT_TIMEOUT_MS + COMMAND_TIMEOUT_MS);
    timer.unref();
    client.on("ready", done);
    client.on("error", done);
    client.on("end", done);
  });
  return {
    client,
    firstConnect,
    close: async () => {
      if (client.status === "ready") {
        await Promise.race([client.quit().catch(() => undefined), new Promise((r) => setTimeout(r, COMMAND_TIMEOUT_MS).unref())]);
      }
      client.disconnect();
    },
  };
}

/**
 * Takes one token from the bucket `key` in Redis; throws when Redis cannot answer (not
 * connected, timed out, any error), and the caller falls back to Postgres.
 */
export async function takeRedisToken(redis: RateLimitRedis, key: string, rule: BucketRule): Promise<{ taken: boolean; tokens: number }> {
  await redis.firstConnect;
  const [taken, tokens] = await (redis.client as ScriptedRedis).stellerTakeToken(REDIS_KEY_PREFIX + key, rule.capacity, rule.refillPerSecond);
  const parsed = Number.parseFloat(tokens);
  if (!Number.isFinite(parsed)) throw new Error("unexpected reply from the rate-limit script");
  return { taken: taken === 1, tokens: parsed };
}

type SharedRedis = { url: string; redis: RateLimitRedis };

/**
 * The process-wide rate-limit connection when `REDIS_URL` is set, else null. Opened on first
 * use, one per process (a process singleton: it survives dev hot reloads and the boot's shutdown
 * closes it), reopened if `REDIS_URL` changed.
 */
export function sharedRateLimitRedis(): RateLimitRedis | null {
  const url = env().REDIS_URL;
  const current = peekProcessSingleton<SharedRedis>("rate-limit-redis");
  if (current && current.url === url) return current.redis;
  if (current) void current.redis.close();
  if (!url) {
    replaceProcessSingleton("rate-limit-redis", undefined);
    return null;
  }
  const redis = createRateLimitRedis(url);
  replaceProcessSingleton<SharedRedis>("rate-limit-redis", { url, redis });
  return redis;
}

/** Closes the process-wide connection, if one was opened (shutdown and tests). */
export async function closeRateLimitRedis(): Promise<void> {
  const current = replaceProcessSingleton<SharedRedis>("rate-limit-redis", undefined);
  await current?.redis.close();
}

const WARN_EVERY_MS = 60_000;
const warnState = { lastAt: 0, suppressed: 0 };

/**
 * Logs a Redis problem on one line, at most once a minute per process (a dead Redis would
 * otherwise log on every request and every reconnect). Never prints the URL or its password.
 */
export function warnRedis(what: string, error: unknown): void {
  const now = Date.now();
  if (now - warnState.lastAt < WARN_EVERY_MS) {
    warnState.suppressed++;
    return;
  }
  const more = warnState.suppressed ? ` (${warnState.suppressed} more since the last message)` : "";
  warnState.lastAt = now;
  warnState.suppressed = 0;
  console.warn(`[rate-limit] Redis ${what}: ${describe(error)}; using the Postgres buckets meanwhile${more}`);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : "unknown error";
  // Error texts carry host and port at most, but never let credentials of a URL through.
  return message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@\s/]*@/gi, "$1***@").slice(0, 300);
}
