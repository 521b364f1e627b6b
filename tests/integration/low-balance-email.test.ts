import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobEvents } from "@/server/db/schema";
import { adminCredit, grantSandboxFunds } from "@/server/ledger";
import { checkLowBalance, setLowBalanceThreshold } from "@/server/webhooks/sources";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

// The low-balance email: requested with the alert (once per crossing), for live wallets only.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const lowBalanceEmails = async (partnerId: string) =>
  (await t.db.select().from(jobEvents).where(eq(jobEvents.name, "email/requested"))).filter(
    (e) => (e.data as { partnerId?: string; template?: string }).partnerId === partnerId && (e.data as { template?: string }).template === "low_balance",
  );

describe("low balance email", () => {
  it("is requested once per crossing of a live wallet, never for the sandbox", async () => {
    const partnerId = await makePartner(t.db, "Low Co");
    await setLowBalanceThreshold(t.db, partnerId, "100.00");
    await adminCredit(t.db, { partnerId, environment: "live", currency: "USD", amount: "40.00", reason: "test", actor: "admin" });
    await grantSandboxFunds(t.db, partnerId);
    await setLowBalanceThreshold(t.db, partnerId, "1000000.00");
    await checkLowBalance(t.db, { partnerId, environment: "sandbox", currency: "USD" });
    expect(await lowBalanceEmails(partnerId)).toHaveLength(0);

    await checkLowBalance(t.db, { partnerId, environment: "live", currency: "USD" });
    await checkLowBalance(t.db, { partnerId, environment: "live", currency: "USD" });
    const sent = await lowBalanceEmails(partnerId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({
      to: `ops@${partnerId}.test`,
      params: { environment: "live", currency: "USD", balance: "40.0000", threshold: "1000000.0000" },
    });
  });
});
