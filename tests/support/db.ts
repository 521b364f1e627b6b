import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { createDatabase, type Database } from "@/server/db/client";

export interface TestDatabase extends Database {
  url: string;
  name: string;
}

/**
 * A fresh database for one test file, cloned from the migrated template. Call in beforeAll
 * and close in afterAll; the database is dropped on close.
 */
export async function createTestDatabase(poolSize = 10): Promise<TestDatabase> {
  const baseUrl = inject("pgBaseUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template steller_template`);
  await admin.end();
  const url = baseUrl.replace(/\/[^/]*$/, `/${name}`);
  const database = createDatabase(url, poolSize);
  return {
    ...database,
    url,
    name,
    close: async () => {
      // Every connection of the pool opened first, so that nothing still running when the pool is
      // ended (a step a stopped worker left behind, a timer) makes it open one then: a connection
      // ended while it runs postgres.js's array-type lookup rejects inside postgres.js, where nothing
      // can catch it (dropWhenIdle below; CI still saw it twice in 118 files at stop 17).
      await Promise.all(Array.from({ length: poolSize }, () => database.sql`select 1`.catch(() => {})));
      await database.close();
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      try {
        await dropWhenIdle(a, name);
      } finally {
        await a.end();
      }
    },
  };
}

/**
 * Drops the database, giving connections still open on it five seconds to finish first: a
 * connection a pool was opening as it was ended runs postgres.js's array-type lookup as its first
 * query, and killing it then (`with (force)`) rejects inside postgres.js, where nothing can catch
 * it (CI saw "Unhandled Rejection: read ECONNRESET" once with no wait, and "write
 * CONNECTION_CLOSED" once with a one-second wait on a loaded machine). Forced after that.
 */
async function dropWhenIdle(a: postgres.Sql, name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await a.unsafe(`drop database if exists ${name}`);
      return;
    } catch (error) {
      const inUse = (error as { code?: string }).code === "55006"; // object_in_use: sessions still connected
      if (!inUse || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await a.unsafe(`drop database if exists ${name} with (force)`);
}
