import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "@/server/db/client";
import { setPreparedStatements } from "@/server/db/prepared";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
let one: Database;
beforeAll(async () => {
  t = await createTestDatabase(2);
  one = createDatabase(t.url, 1); // one connection: every query below runs in the same session
});
afterAll(async () => {
  await one?.close();
  await t?.close();
});

const preparedLike = async (marker: string) =>
  (await one.db.execute<{ n: number }>(sql`select count(*)::int as n from pg_prepared_statements where statement like ${`%${marker}%`}`))[0]!.n;

describe("prepared statements", () => {
  it("prepares drizzle's queries once per connection, in and out of transactions", async () => {
    for (let i = 0; i < 3; i++) await one.db.execute(sql`select ${i}::int as prepared_marker_a`);
    await one.db.transaction(async (tx) => {
      await tx.execute(sql`select ${1}::int as prepared_marker_b`);
      await tx.execute(sql`select ${2}::int as prepared_marker_b`);
    });
    expect(await preparedLike("prepared_marker_a")).toBe(1);
    expect(await preparedLike("prepared_marker_b")).toBe(1);
  });

  it("can be turned off (DATABASE_PREPARED_STATEMENTS=false, for PgBouncer in transaction mode)", async () => {
    setPreparedStatements(false);
    try {
      for (let i = 0; i < 3; i++) await one.db.execute(sql`select ${i}::int as prepared_marker_c`);
      expect(await preparedLike("prepared_marker_c")).toBe(0);
    } finally {
      setPreparedStatements(true);
    }
  });
});
