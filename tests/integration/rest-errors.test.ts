import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as txRoute from "@/app/api/v1/wallet/transactions/route";
import { signUpPartner } from "@/server/partners/signup";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

// Domain errors answered by the API through the one kind table (src/server/rest/errors.ts),
// without the route catching them.

let t: TestDatabase;
const partner = async (name: string) =>
  (
    await signUpPartner(t.db, {
      companyName: name,
      contactName: "Ann Example",
      email: `${name.toLowerCase()}@rest-errors.test`,
      password: "a-long-password",
      country: "GB",
    })
  ).apiKey.secret;

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
});
afterAll(async () => t?.close());

describe("domain errors over REST", () => {
  it("an unknown transactions cursor, or another partner's entry, is 400 invalid_cursor on startingAfter", async () => {
    const a = await partner("Alpha");
    const b = await partner("Bravo");
    const bEntries = await call(txRoute.GET, "/api/v1/wallet/transactions", { key: b, query: { currency: "USD" } });
    expect(bEntries.status, bEntries.text).toBe(200);
    const theirs = bEntries.json.data[0].id as string;
    for (const startingAfter of ["led_nope", theirs]) {
      const res = await call(txRoute.GET, "/api/v1/wallet/transactions", { key: a, query: { currency: "USD", startingAfter } });
      expect(res.status, res.text).toBe(400);
      expect(res.json.error).toMatchObject({
        type: "invalid_request_error",
        code: "invalid_cursor",
        param: "startingAfter",
        message: "startingAfter is not an entry of this wallet",
      });
    }
  });
});
