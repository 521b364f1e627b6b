import net from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseWaitError, waitForDatabase } from "@/server/boot/wait-db";
import { createDatabase, isDatabaseUnavailable, poolStats } from "@/server/db/client";
import { startLocalPostgres, type LocalPostgres } from "@/server/db/embedded";
import { checkHealth } from "@/server/health";

// A PostgreSQL of this file's own (stopped and started again below), next to the run's one.
const PORT = Number(process.env.TEST_PG_PORT ?? 55433) + 1;
const DIR = `.data/test-pg-restart-${PORT}`;
let pg: LocalPostgres;

beforeAll(async () => {
  pg = await startLocalPostgres({ dir: DIR, port: PORT, fresh: true });
  process.env.DATABASE_URL ??= pg.baseUrl; // checkHealth reads the app's configuration
});
afterAll(async () => {
  await pg?.stop();
});

/** A PostgreSQL ErrorResponse message (what a server that is starting up sends, then closes). */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, "utf8");
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** In front of the real server: answers 57P03 "starting up" until `readyAt`, then passes connections through. */
async function startingUpProxy(target: number, readyAt: number) {
  const server = net.createServer((client) => {
    if (Date.now() < readyAt) {
      client.once("data", () => client.end(errorResponse("57P03", "the database system is starting up")));
      client.on("error", () => {});
      return;
    }
    const upstream = net.connect(target, "127.0.0.1");
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const urlVia = (port: number) => pg.baseUrl.replace(`:${PORT}/`, `:${port}/`);

describe("start-up waits for the database, with a bound", () => {
  it("waits while the server says it is starting up, then goes on", async () => {
    const proxy = await startingUpProxy(PORT, Date.now() + 1_500);
    const lines: string[] = [];
    try {
      const r = await waitForDatabase(urlVia(proxy.port), { timeoutMs: 10_000, intervalMs: 200, log: (l) => lines.push(l) });
      expect(r.waitedMs).toBeGreaterThanOrEqual(1_300);
      expect(r.attempts).toBeGreaterThan(2);
      expect(lines[0]).toMatch(/Waiting for PostgreSQL at 127\.0\.0\.1:\d+\/postgres: the database system is starting up \(57P03\)/);
      expect(lines.at(-1)).toMatch(/is up/);
    } finally {
      await proxy.close();
    }
  });

  it("gives up after DATABASE_STARTUP_WAIT_MS with a clear message, and at once on a configuration error", async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r())); // nothing listens there now
    const started = performance.now();
    const refused = await waitForDatabase(urlVia(port), { timeoutMs: 1_500, intervalMs: 200 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DatabaseWaitError);
    expect((refused as Error).message).toMatch(/was not ready within 2 s \(DATABASE_STARTUP_WAIT_MS\); last answer: .*ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(3_000);

    const badPassword = await waitForDatabase(pg.baseUrl.replace(/:[^:@/]+@/, ":wrong@"), { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(badPassword).toBeInstanceOf(DatabaseWaitError);
    expect((badPassword as Error).message).toMatch(/refused the connection: .*28P01/);
  });
});

describe("a database that goes away while the app runs", () => {
  it("fails queries fast and reports degraded while it is down, and works again once it is back", async () => {
    const d = createDatabase(pg.baseUrl, 3, { connectTimeoutMs: 1_000, acquireTimeoutMs: 2_000 });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
    try {
      expect((await checkHealth(d.db)).status).toBe("ok");
      // A transaction and a reservation are open when the server stops.
      const reserved = await d.sql.reserve();
      await reserved`begin`;
      let inside!: () => void;
      const entered = new Promise<void>((r) => (inside = r));
      const tx = d.db
        .transaction(async (q) => {
          await q.execute(sql`select 1`);
          inside();
          await new Promise((r) => setTimeout(r, 1_500));
          await q.execute(sql`select 2`);
        })
        .then(
          () => "committed",
          (e: unknown) => e,
        );
      await entered;
      await pg.stop();

      const health = await checkHealth(d.db, { pool: poolStats(d.sql) });
      expect(health.status).toBe("degraded");
      expect(health.database.status).toBe("down");
      const failed = await d.db.execute(sql`select 1`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isDatabaseUnavailable(failed)).toBe(true);
      const txOutcome = await tx;
      expect(txOutcome).not.toBe("committed");
      expect(isDatabaseUnavailable(txOutcome)).toBe(true);
      await expect(reserved`select 1`).rejects.toBeTruthy();
      reserved.release();

      pg = await startLocalPostgres({ dir: DIR, port: PORT });
      // The pool reconnects by itself: the next queries succeed.
      let back = false;
      for (let i = 0; i < 40 && !back; i++) {
        back = await d.db.execute(sql`select 1`).then(
          () => true,
          () => false,
        );
        if (!back) await new Promise((r) => setTimeout(r, 250));
      }
      expect(back).toBe(true);
      expect((await checkHealth(d.db)).status).toBe("ok");
      await d.db.transaction(async (q) => q.execute(sql`select 3`));
      expect(poolStats(d.sql)).toMatchObject({ inUse: 0, waiting: 0 });
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      process.off("uncaughtException", onUnhandled);
      await d.close();
    }
  });
});
