import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InvalidLedgerRequestError,
  TopupNotFoundError,
  TopupStateError,
  approveTopup,
  checkInvariants,
  findWallet,
  getOrCreateWallet,
  listTopupRequests,
  rejectTopup,
  requestTopup,
} from "@/server/ledger";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(10);
});
afterAll(async () => t.close());

const admin = "usr_admin";

async function topupTransfers(requestId: string) {
  const [row] = await t.sql`select count(*)::int as n from ledger_transfers where kind = 'topup_approval' and reference = ${requestId}`;
  return row!.n as number;
}

describe("top-up requests", () => {
  it("records a pending request and moves nothing until approved", async () => {
    const partnerId = await makePartner(t.db);
    const request = await requestTopup(t.db, { partnerId, currency: "USD", amount: "250", requestedBy: "usr_p", note: "March" });
    expect(request).toMatchObject({ status: "pending", amount: "250.0000", environment: "live", transferId: null });
    expect(request.id).toMatch(/^top_/);
    expect(await findWallet(t.db, partnerId, "live", "USD")).toBeNull();
    expect((await listTopupRequests(t.db, { partnerId })).map((r) => r.id)).toEqual([request.id]);
    expect(await listTopupRequests(t.db, { partnerId: await makePartner(t.db) })).toEqual([]);
  });

  it("moves the money exactly once when the same request is approved twice concurrently", async () => {
    const partnerId = await makePartner(t.db);
    const request = await requestTopup(t.db, { partnerId, currency: "USD", amount: "99.99", requestedBy: "usr_p" });
    const results = await Promise.all([
      approveTopup(t.db, { requestId: request.id, actor: admin }),
      approveTopup(t.db, { requestId: request.id, actor: "usr_other_admin" }),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]!.transfer.id).toBe(results[1]!.transfer.id);
    expect(results[0]!.request).toMatchObject({ status: "approved", transferId: results[0]!.transfer.id });
    expect((await getOrCreateWallet(t.db, partnerId, "live", "USD")).balance).toBe("99.9900");
    expect(await topupTransfers(request.id)).toBe(1);
    const again = await approveTopup(t.db, { requestId: request.id, actor: admin });
    expect(again.created).toBe(false);
    await expect(rejectTopup(t.db, { requestId: request.id, actor: admin, reason: "oops" })).rejects.toBeInstanceOf(TopupStateError);
    expect((await getOrCreateWallet(t.db, partnerId, "live", "USD")).balance).toBe("99.9900");
  });

  it("rejects with a reason, moves nothing, and then refuses approval", async () => {
    const partnerId = await makePartner(t.db);
    const request = await requestTopup(t.db, { partnerId, currency: "EUR", amount: "10", requestedBy: "usr_p" });
    await expect(rejectTopup(t.db, { requestId: request.id, actor: admin, reason: "" })).rejects.toBeInstanceOf(InvalidLedgerRequestError);
    const rejected = await rejectTopup(t.db, { requestId: request.id, actor: admin, reason: "no wire received" });
    expect(rejected).toMatchObject({ status: "rejected", decisionReason: "no wire received", decidedBy: admin, transferId: null });
    await expect(approveTopup(t.db, { requestId: request.id, actor: admin })).rejects.toBeInstanceOf(TopupStateError);
    expect(await topupTransfers(request.id)).toBe(0);
    expect(await findWallet(t.db, partnerId, "live", "EUR")).toBeNull();
  });

  it("lets exactly one of a concurrent approve and reject win", async () => {
    const partnerId = await makePartner(t.db);
    const request = await requestTopup(t.db, { partnerId, currency: "USD", amount: "5", requestedBy: "usr_p" });
    const [approve, reject] = await Promise.allSettled([
      approveTopup(t.db, { requestId: request.id, actor: admin }),
      rejectTopup(t.db, { requestId: request.id, actor: admin, reason: "duplicate" }),
    ]);
    expect([approve.status, reject.status].sort()).toEqual(["fulfilled", "rejected"]);
    const [row] = await t.sql`select status, transfer_id from topup_requests where id = ${request.id}`;
    expect(await topupTransfers(request.id)).toBe(row!.status === "approved" ? 1 : 0);
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });

  it("reports an unknown request", async () => {
    await expect(approveTopup(t.db, { requestId: "top_missing", actor: admin })).rejects.toBeInstanceOf(TopupNotFoundError);
  });
});
