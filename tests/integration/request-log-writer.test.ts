import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestLogs } from "@/server/db/schema";
import { RequestLogWriter, type RequestLogEntry } from "@/server/requestlog/writer";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(4);
});
afterAll(async () => {
  await t?.close();
});

const entry = (i: number, over: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  partnerId: i % 3 ? `ptn_${i % 3}` : null,
  environment: i % 3 ? "sandbox" : null,
  keyStart: i % 3 ? "stlr_test_Abcd" : null,
  method: "POST",
  path: `/api/v1/orders/${i}`,
  status: 200 + (i % 5),
  latencyMs: i,
  ip: "2001:db8::1",
  requestId: `req_${String(i).padStart(6, "0")}`,
  errorCode: i % 2 ? "insufficient_funds" : null,
  createdAt: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, i)),
  ...over,
});

describe("request log writer", () => {
  it("writes every entry in batches with each field intact", async () => {
    await t.sql`delete from request_logs`;
    const writer = new RequestLogWriter(() => t.db, { maxBuffer: 5_000, batchSize: 500, flushMs: 50 });
    for (let i = 0; i < 1_234; i++) writer.record(entry(i));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ written: 1_234, dropped: 0, buffered: 0 });
    const rows = await t.db.select().from(requestLogs).orderBy(asc(requestLogs.requestId));
    expect(rows).toHaveLength(1_234);
    for (const i of [0, 1, 2, 617, 1_233]) {
      const { id, ...row } = rows[i]!;
      expect(id).toMatch(/^req_/);
      expect(row).toEqual(entry(i));
    }
  });

  it("cleans what a client sent (NUL, lengths) and drops only an entry the database refuses", async () => {
    await t.sql`delete from request_logs`;
    const writer = new RequestLogWriter(() => t.db, { maxBuffer: 100, batchSize: 50, flushMs: 50 });
    writer.record(entry(1, { path: `/a\u0000b${"x".repeat(5_000)}`, method: "GE\u0000T" }));
    writer.record(entry(2, { status: 2 ** 31 })); // out of range for the integer column: refused
    writer.record(entry(3, { path: '/q?a="b",{c}\\d', errorCode: "NULL", ip: "" }));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ written: 2, dropped: 1 });
    const rows = await t.db.select().from(requestLogs).orderBy(asc(requestLogs.requestId));
    expect(rows.map((r) => r.requestId)).toEqual(["req_000001", "req_000003"]);
    expect(rows[1]).toMatchObject({ path: '/q?a="b",{c}\\d', errorCode: "NULL", ip: "" });
    expect(rows[0]!.path).toHaveLength(1_024);
    expect(rows[0]!.path.startsWith("/ab")).toBe(true);
    expect(rows[0]!.method).toBe("GET");
  });

  it("drops and counts entries beyond its buffer instead of growing", async () => {
    const writer = new RequestLogWriter(() => t.db, { maxBuffer: 10, batchSize: 1_000, flushMs: 60_000 });
    for (let i = 0; i < 25; i++) writer.record(entry(i));
    expect(writer.stats()).toMatchObject({ buffered: 10, dropped: 15 });
    await writer.flush();
  });
});
