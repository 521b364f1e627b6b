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
      await database.close();
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
