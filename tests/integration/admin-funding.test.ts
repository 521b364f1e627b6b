import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findWallet, requestTopup } from "@/server/ledger";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { sessionCaller } from "../support/callers";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());

const callerFor = (userId: string) => sessionCaller(t.db, userId);

describe("admin wallet funding", () => {
  it("lets only admins approve a top-up, moves money once and audits it", async () => {
    const partnerId = await makePartner(t.db);
    const owner = await makeUser(t.db, { partnerId, role: "owner" });
    const admin = await makeUser(t.db, { admin: true });
    const request = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "300.00", requestedBy: owner.id });

    const asOwner = await callerFor(owner.id);
    await expect(asOwner.admin.wallets.approveTopup({ requestId: request.id })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const asAdmin = await callerFor(admin.id);
    const [one, two] = await Promise.all([
      asAdmin.admin.wallets.approveTopup({ requestId: request.id }),
      asAdmin.admin.wallets.approveTopup({ requestId: request.id }),
    ]);
    expect(one.status).toBe("approved");
    expect(two.status).toBe("approved");
    expect((await findWallet(t.db, partnerId, "live", "USD"))!.balance).toBe("300.0000");
    const audits = await t.sql`select action from audit_log where target_id = ${request.id}`;
    expect(audits.map((a) => a.action)).toEqual(["topup.approved"]);
    const webhookEvents = await t.sql`select type from webhook_events where partner_id = ${partnerId}`;
    expect(webhookEvents.map((e) => e.type)).toEqual(["topup.approved"]);
  });

  it("refuses to approve a rejected top-up with a clear error", async () => {
    const partnerId = await makePartner(t.db);
    const admin = await makeUser(t.db, { admin: true });
    const request = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "10.00", requestedBy: "x" });
    const api = await callerFor(admin.id);
    await api.admin.wallets.rejectTopup({ requestId: request.id, reason: "no proof of payment" });
    const error = await api.admin.wallets.approveTopup({ requestId: request.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect(await findWallet(t.db, partnerId, "live", "USD")).toBeNull();
  });

  it("credits a wallet with a mandatory reason", async () => {
    const partnerId = await makePartner(t.db);
    const admin = await makeUser(t.db, { admin: true });
    const api = await callerFor(admin.id);
    await expect(api.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "50.00", reason: "" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const { transfer } = await api.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "50.00", reason: "bank transfer 42" });
    expect(transfer.amount).toBe("50.0000");
  });
});
