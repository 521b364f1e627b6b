import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attemptLogin } from "@/server/auth/login";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.close());

const limits = { maxFailuresPerEmail: 3, maxFailuresPerIp: 5, windowMinutes: 15 };

describe("login", () => {
  it("accepts the right password whatever the email's case", async () => {
    const u = await makeUser(t.db, { email: "Mixed.Case@Example.test", password: "s3cret-pass" });
    const r = await attemptLogin(t.db, { email: "mixed.case@example.TEST", password: "s3cret-pass", ip: "10.0.0.1" }, limits);
    expect(r).toEqual({ ok: true, userId: u.id, sessionVersion: 0 });
  });

  it("locks an email after too many failures, even with the right password", async () => {
    const u = await makeUser(t.db, { password: "right-password" });
    for (let i = 0; i < 3; i++) {
      const r = await attemptLogin(t.db, { email: u.email, password: "wrong", ip: `10.1.0.${i}` }, limits);
      expect(r).toMatchObject({ ok: false, reason: "invalid_credentials" });
    }
    const r = await attemptLogin(t.db, { email: u.email, password: "right-password", ip: "10.1.0.9" }, limits);
    expect(r).toMatchObject({ ok: false, reason: "rate_limited" });
  });

  it("locks an IP after too many failures across different emails", async () => {
    const u = await makeUser(t.db, { password: "right-password" });
    for (let i = 0; i < 5; i++) {
      await attemptLogin(t.db, { email: `nobody${i}@example.test`, password: "x", ip: "10.2.0.1" }, limits);
    }
    const blocked = await attemptLogin(t.db, { email: u.email, password: "right-password", ip: "10.2.0.1" }, limits);
    expect(blocked).toMatchObject({ ok: false, reason: "rate_limited" });
    const elsewhere = await attemptLogin(t.db, { email: u.email, password: "right-password", ip: "10.2.0.2" }, limits);
    expect(elsewhere.ok).toBe(true);
  });

  it("refuses a suspended user", async () => {
    const u = await makeUser(t.db, { password: "pw-123456" });
    await t.sql`update users set status = 'suspended' where id = ${u.id}`;
    const r = await attemptLogin(t.db, { email: u.email, password: "pw-123456", ip: "10.3.0.1" }, limits);
    expect(r).toMatchObject({ ok: false, reason: "suspended" });
  });
});
