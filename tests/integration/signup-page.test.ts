import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitSignup } from "@/app/(portal)/signup/submit";
import { partners, users } from "@/server/db/schema";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

// The signup page's submit on the server: what the browser's inline checks cannot guarantee
// (a client can skip them) is refused here too, creates nothing, and counts against the IP.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
});
afterAll(async () => t?.close());

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
const valid = { companyName: "Page Co", contactName: "Paige Page", email: "paige@page.test", password: "a-long-password", country: "gb" };
const partnerCount = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(partners))[0]!.n;

describe("signup page submit", () => {
  it("signs up with the API's schema and domain signup: a sandbox key and the sandbox balance", async () => {
    const { state, credentials } = await submitSignup(t.db, "203.0.113.1", form(valid));
    expect(state.fieldErrors).toBeUndefined();
    expect(state.done).toMatchObject({ companyName: "Page Co", sandboxBalance: { currency: "USD" }, apiKey: { secret: expect.stringMatching(/^stlr_test_/) } });
    expect(credentials).toEqual({ email: "paige@page.test", password: "a-long-password" });
    const [p] = await t.db.select().from(partners).where(eq(partners.businessName, "Page Co"));
    expect(p).toMatchObject({ country: "GB", signupSource: "self_service" });
  });

  it("refuses a weak password, a missing field and a duplicate email per field, creating nothing", async () => {
    const before = await partnerCount();
    const weak = await submitSignup(t.db, "203.0.113.2", form({ ...valid, email: "weak@page.test", password: "short" }));
    expect(weak.state.fieldErrors).toEqual({ password: "Password must be at least 10 characters" });
    const { country: _omit, ...noCountry } = valid;
    const missing = await submitSignup(t.db, "203.0.113.2", form({ ...noCountry, email: "missing@page.test" }));
    expect(missing.state.fieldErrors).toEqual({ country: "Country is required" });
    expect(missing.state.values).toMatchObject({ companyName: "Page Co", email: "missing@page.test" });
    expect(missing.state.values).not.toHaveProperty("password");
    const dup = await submitSignup(t.db, "203.0.113.3", form({ ...valid, email: "PAIGE@page.test", companyName: "Page Co Again" }));
    expect(dup.state.fieldErrors).toEqual({ email: "An account with this work email already exists. Sign in instead." });
    for (const r of [weak, missing, dup]) {
      expect(r.state.done).toBeUndefined();
      expect(r.credentials).toBeUndefined();
    }
    expect(await partnerCount()).toBe(before);
    expect(await t.db.select().from(users).where(sql`lower(${users.email}) in ('weak@page.test', 'missing@page.test')`)).toEqual([]);
  });

  it("shares the API's per-IP limit: five attempts, then refused before anything is created", async () => {
    const ip = "198.51.100.7";
    for (let i = 0; i < 5; i++) await submitSignup(t.db, ip, form({ ...valid, password: "short" }));
    const before = await partnerCount();
    const refused = await submitSignup(t.db, ip, form({ ...valid, email: "sixth@page.test", companyName: "Sixth Co" }));
    expect(refused.state.formError).toMatch(/^Too many signups from your address\. Please try again in \d+ minutes?\.$/);
    expect(refused.state.done).toBeUndefined();
    expect(await partnerCount()).toBe(before);
    // Another address is not affected.
    const other = await submitSignup(t.db, "198.51.100.8", form({ ...valid, email: "other@page.test", companyName: "Other Page Co" }));
    expect(other.state.done).toBeDefined();
  });
});
