import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRedisServer } from "../../scripts/lib-redis";
import * as walletRoute from "@/app/api/v1/wallet/route";
import { createApiKey } from "@/server/keys";
import { rateLimitHeaders, takeTokenPostgres, takeTokenRedis, takeTokenWith, type BucketRule, type RateDecision } from "@/server/rest/rate-limit";
import { closeRateLimitRedis, createRateLimitRedis, REDIS_KEY_PREFIX, type RateLimitRedis } from "@/server/rest/rate-limit-redis";
import { bindAppDatabase, call, flushRequestLog } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

/**
 * The Redis backend of the API rate limiter against a real redis-server started here on a free
 * port (found, or installed as root on Debian, by scripts/lib-redis.ts), next to the real
 * Postgres backend it must agree with.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redisProcess: ChildProcess | undefined;
let redisUrl: string;
let admin: Redis;
let t: TestDatabase;
const opened: RateLimitRedis[] = [];

function connect(url = redisUrl): RateLimitRedis {
  const r = createRateLimitRedis(url);
  opened.push(r);
  return r;
}

let seq = 0;
const bucket = (name: string) => `test:${name}:${++seq}`;

beforeAll(async () => {
  const bin = ensureRedisServer();
  const port = await freePort();
  redisProcess = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  redisUrl = `redis://127.0.0.1:${port}/0`;
  admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on("error", () => {}); // refused while the server starts, and after it is killed
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (admin.status !== "ready") await admin.connect();
      if ((await admin.ping()) === "PONG") break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}: ${String(error)}`);
      await sleep(50);
    }
  }
  t = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(opened.map((r) => r.close()));
  await closeRateLimitRedis();
  await flushRequestLog();
  admin?.disconnect();
  redisProcess?.kill("SIGKILL");
  await t?.close();
});

describe("Redis token bucket", () => {
  it("lets a burst through, then refuses with Retry-After ≥ 1 and the RateLimit headers", async () => {
    const r = connect();
    const rule: BucketRule = { capacity: 5, refillPerSecond: 1 };
    const key = bucket("burst");
    const decisions: RateDecision[] = [];
    for (let i = 0; i < 7; i++) decisions.push(await takeTokenRedis(r, key, rule));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    const refused = decisions[5]!;
    expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0, retryAfterSeconds: 1 });
    expect(rateLimitHeaders(refused)).toEqual({ "RateLimit-Limit": "5", "RateLimit-Remaining": "0", "RateLimit-Reset": "1", "Retry-After": "1" });
    expect(rateLimitHeaders(decisions[0]!)).toEqual({ "RateLimit-Limit": "5", "RateLimit-Remaining": "4", "RateLimit-Reset": "1" });
  });

  it("refills over time on the Redis clock, keeping fractions, never above capacity", async () => {
    const r = connect();
    const rule: BucketRule = { capacity: 2, refillPerSecond: 5 };
    const key = bucket("refill");
    expect((await takeTokenRedis(r, key, rule)).allowed).toBe(true);
    expect((await takeTokenRedis(r, key, rule)).allowed).toBe(true);
    const empty = await takeTokenRedis(r, key, rule);
    expect(empty).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    await sleep(260); // 1.3 tokens
    expect((await takeTokenRedis(r, key, rule)).allowed).toBe(true);
    // 0.3 left plus a few ms: not a whole token yet.
    expect((await takeTokenRedis(r, key, rule)).allowed).toBe(false);
    await sleep(1_000); // more than capacity's worth: capped at 2
    const after = [await takeTokenRedis(r, key, rule), await takeTokenRedis(r, key, rule), await takeTokenRedis(r, key, rule)];
    expect(after.map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it("lets an idle bucket expire when it would be full again", async () => {
    const r = connect();
    const rule: BucketRule = { capacity: 3, refillPerSecond: 20 };
    const key = bucket("expiry");
    await takeTokenRedis(r, key, rule);
    await takeTokenRedis(r, key, rule);
    const ttl = await admin.pttl(REDIS_KEY_PREFIX + key);
    // Two tokens short at 20/s: full again in 100 ms.
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
    await sleep(250);
    expect(await admin.exists(REDIS_KEY_PREFIX + key)).toBe(0);
    expect((await takeTokenRedis(r, key, rule)).remaining).toBe(2);
  });

  it("shares one bucket between two app instances (two connections), including under concurrency", async () => {
    const a = connect();
    const b = connect();
    const rule: BucketRule = { capacity: 4, refillPerSecond: 0.01 };
    const key = bucket("shared");
    const seqDecisions = [
      await takeTokenRedis(a, key, rule),
      await takeTokenRedis(b, key, rule),
      await takeTokenRedis(a, key, rule),
      await takeTokenRedis(b, key, rule),
    ];
    expect(seqDecisions.map((d) => d.remaining)).toEqual([3, 2, 1, 0]);
    expect((await takeTokenRedis(a, key, rule)).allowed).toBe(false);
    expect((await takeTokenRedis(b, key, rule)).allowed).toBe(false);

    const hot = bucket("shared-hot");
    const many = await Promise.all(Array.from({ length: 60 }, (_, i) => takeTokenRedis(i % 2 ? a : b, hot, { capacity: 25, refillPerSecond: 0.01 })));
    expect(many.filter((d) => d.allowed)).toHaveLength(25);
  });

  it("gives the same decisions and headers as the Postgres bucket for the same sequence", async () => {
    const r = connect();
    const rule: BucketRule = { capacity: 3, refillPerSecond: 0.5 };
    const redisKey = bucket("parity");
    const pgKey = bucket("parity");
    const viaRedis: RateDecision[] = [];
    const viaPostgres: RateDecision[] = [];
    for (let i = 0; i < 5; i++) {
      viaRedis.push(await takeTokenRedis(r, redisKey, rule));
      viaPostgres.push(await takeTokenPostgres(t.db, pgKey, rule));
    }
    expect(viaRedis).toEqual(viaPostgres);
    expect(viaRedis.map(rateLimitHeaders)).toEqual(viaPostgres.map(rateLimitHeaders));
    expect(viaRedis.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(viaRedis[3]).toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 2, resetSeconds: 6 });
    // The Redis sequence wrote nothing to Postgres.
    const rows = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from rate_limit_buckets where key = ${redisKey}`);
    expect(rows[0]!.n).toBe(0);
  });
});

describe("Redis unavailable", () => {
  const rule: BucketRule = { capacity: 2, refillPerSecond: 1 };

  it("falls back to the Postgres bucket at once when nothing listens on the Redis port", async () => {
    const dead = connect(`redis://:secret-password@127.0.0.1:${await freePort()}/0`);
    const key = bucket("fallback");
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
    try {
      const started = performance.now();
      const decisions = [await takeTokenWith(dead, t.db, key, rule), await takeTokenWith(dead, t.db, key, rule), await takeTokenWith(dead, t.db, key, rule)];
      const elapsed = performance.now() - started;
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(elapsed).toBeLessThan(2_000);
      await expect(takeTokenRedis(dead, key, rule)).rejects.toThrow();
    } finally {
      console.warn = original;
    }
    const rows = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from rate_limit_buckets where key = ${key}`);
    expect(rows[0]!.n).toBe(1);
    // Logged on one line (the first Redis problem of this process), at most once a minute, and
    // never with the password.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[rate-limit\] Redis .*ECONNREFUSED.*using the Postgres buckets/);
    expect(warnings.join("\n")).not.toContain("secret-password");
  });

  it("falls back within a bounded time when Redis accepts connections but never answers", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const hung = connect(`redis://127.0.0.1:${port}`);
      const key = bucket("silent");
      const started = performance.now();
      const first = await takeTokenWith(hung, t.db, key, rule);
      const second = await takeTokenWith(hung, t.db, key, rule);
      expect([first.allowed, second.allowed]).toEqual([true, true]);
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe("a partner route with REDIS_URL set", () => {
  let key: { id: string; secret: string };

  beforeAll(async () => {
    // env() is read once per test file: set the variables before the first route call.
    process.env.REDIS_URL = redisUrl;
    process.env.API_RATE_BURST = "3";
    process.env.API_RATE_PER_SECOND = "0.1";
    bindAppDatabase(t);
    const partnerId = await makePartner(t.db, "Redis Limited");
    const created = await createApiKey(t.db, { partnerId, environment: "sandbox", name: "redis", actor: "test" });
    key = { id: created.key.id, secret: created.secret };
  });

  it("limits a key through Redis with the same 429, Retry-After and RateLimit headers", async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await call(walletRoute.GET, "/api/v1/wallet", { key: key.secret }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(results.map((r) => r.headers.get("ratelimit-remaining"))).toEqual(["2", "1", "0", "0"]);
    expect(results[0]!.headers.get("ratelimit-limit")).toBe("3");
    const limited = results[3]!;
    // One token per 10 s: a whole token is 1..10 s away, depending on how long the calls took.
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(limited.headers.get("ratelimit-reset")).toBe(String(retryAfter));
    expect(limited.json.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
    // The bucket is in Redis, not in Postgres.
    expect(await admin.exists(`${REDIS_KEY_PREFIX}key:${key.id}`)).toBe(1);
    const rows = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from rate_limit_buckets where key = ${`key:${key.id}`}`);
    expect(rows[0]!.n).toBe(0);
  });

  it("keeps answering (from the Postgres bucket) when Redis dies, never with a 500", async () => {
    const original = console.warn;
    console.warn = () => {};
    try {
      const server = redisProcess!;
      const exited = server.exitCode !== null ? Promise.resolve() : new Promise((r) => server.once("exit", r));
      server.kill("SIGKILL");
      await exited;
      const started = performance.now();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(walletRoute.GET, "/api/v1/wallet", { key: key.secret })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      console.warn = original;
    }
  });
});
