import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestTopup } from "@/server/ledger";
import { signUpPartner } from "@/server/partners/signup";
import { appRouter, createCaller } from "@/server/trpc/root";
import { sessionUserOf } from "../support/callers";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { FIXED_25_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";

// Domain errors thrown by procedures, as a browser receives them through the tRPC HTTP handler:
// the TRPCError code of their kind (one middleware in init.ts), their stable code, and field
// errors a form can show beside its inputs (zod's flattened, or the field a domain error names).

let t: TestDatabase;
let engine: OrderEngine;
let owner: { partnerId: string; userId: string };

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  engine = await startOrderEngine(t);
  const r = await signUpPartner(t.db, {
    companyName: "Errors Co",
    contactName: "Erin Errors",
    email: "erin@errors.test",
    password: "a-long-password",
    country: "GB",
  });
  owner = { partnerId: r.partner.id, userId: r.userId };
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

interface ErrorBody {
  message: string;
  code: number;
  data: { code: string; httpStatus: number; errorCode: string | null; fieldErrors: Record<string, string[]>; formErrors: string[]; stack?: string };
}

/** Calls a mutation over the tRPC HTTP handler as the given user; the error as the client sees it. */
async function mutationError(userId: string, path: string, input: unknown): Promise<ErrorBody> {
  const user = await sessionUserOf(t.db, userId);
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(superjson.serialize(input)),
    }),
    router: appRouter,
    createContext: () => ({ db: t.db, user, headers: new Headers() }),
  });
  const body = (await res.json()) as { error?: Parameters<typeof superjson.deserialize>[0] };
  expect(body.error, `${path} should have failed`).toBeDefined();
  const error = superjson.deserialize<ErrorBody>(body.error!);
  expect(res.status).toBe(error.data.httpStatus);
  return error;
}

describe("domain errors through tRPC", () => {
  it("an order refused by a rule: BAD_REQUEST, its code, the message on the field it names", async () => {
    const e = await mutationError(owner.userId, "console.createOrder", { sku: FIXED_25_USD, faceValue: "30.00", quantity: 1 });
    expect(e.data.code).toBe("BAD_REQUEST");
    expect(e.data.errorCode).toBe("invalid_face_value");
    expect(e.message).toMatch(/^faceValue for BAM-990002 must be exactly 25/);
    expect(e.data.fieldErrors).toEqual({ faceValue: [e.message] });
    expect(e.data.stack).toBeUndefined();
  });

  it("an unknown SKU: NOT_FOUND on sku; a wallet too low: PAYMENT_REQUIRED with the API's message", async () => {
    const unknown = await mutationError(owner.userId, "console.createOrder", { sku: "BAM-NOPE", faceValue: "10.00", quantity: 1 });
    expect([unknown.data.code, unknown.data.errorCode, Object.keys(unknown.data.fieldErrors)]).toEqual(["NOT_FOUND", "product_not_found", ["sku"]]);

    const broke = await mutationError(owner.userId, "console.createOrder", { sku: FIXED_25_USD, faceValue: "25.00", quantity: 100 });
    expect([broke.data.code, broke.data.httpStatus, broke.data.errorCode]).toEqual(["PAYMENT_REQUIRED", 402, "insufficient_funds"]);
    expect(broke.message).toBe("Your USD wallet balance is too low for this order. Top up your wallet and try again.");
    expect(broke.data.formErrors).toEqual([broke.message]);
  });

  it("input that fails the procedure's schema: BAD_REQUEST, zod's issues flattened per field, a readable message", async () => {
    const e = await mutationError(owner.userId, "me.changePassword", { currentPassword: "", newPassword: "short" });
    expect(e.data.code).toBe("BAD_REQUEST");
    expect(e.data.errorCode).toBe("invalid_parameter");
    expect(Object.keys(e.data.fieldErrors).sort()).toEqual(["currentPassword", "newPassword"]);
    expect(e.data.fieldErrors.newPassword![0]).toMatch(/10/);
    expect(e.message).toMatch(/^currentPassword: .* \(and 1 more problem\)$/);
  });

  it("a wrong current password names its field; a second approval of a top-up is a form error; another partner's key is NOT_FOUND", async () => {
    const wrong = await mutationError(owner.userId, "me.changePassword", { currentPassword: "not-the-password", newPassword: "another-long-password" });
    expect([wrong.data.code, wrong.data.errorCode, wrong.data.fieldErrors]).toEqual(["BAD_REQUEST", "wrong_password", { currentPassword: [wrong.message] }]);

    const admin = await makeUser(t.db, { admin: true });
    const request = await requestTopup(t.db, { partnerId: owner.partnerId, environment: "live", currency: "USD", amount: "10.00", requestedBy: "x" });
    await createCaller({ db: t.db, user: await sessionUserOf(t.db, admin.id), headers: new Headers() }).admin.wallets.rejectTopup({
      requestId: request.id,
      reason: "no proof of payment",
    });
    const twice = await mutationError(admin.id, "admin.wallets.approveTopup", { requestId: request.id });
    expect([twice.data.code, twice.data.errorCode, twice.data.fieldErrors]).toEqual(["BAD_REQUEST", "topup_invalid_state", {}]);
    expect(twice.data.formErrors).toEqual([twice.message]);

    const missing = await mutationError(admin.id, "admin.wallets.approveTopup", { requestId: "top_nope" });
    expect([missing.data.code, missing.data.errorCode]).toEqual(["NOT_FOUND", "topup_not_found"]);

    const stranger = await makeUser(t.db, {
      partnerId: (
        await signUpPartner(t.db, { companyName: "Other", contactName: "Otto", email: "otto@other.test", password: "a-long-password", country: "US" })
      ).partner.id,
      role: "owner",
    });
    const revoke = await mutationError(stranger.id, "partner.keys.revoke", { keyId: "key_of_someone_else" });
    expect([revoke.data.code, revoke.data.errorCode]).toEqual(["NOT_FOUND", "resource_not_found"]);
  });

  it("tRPC's own refusals keep their codes and carry no domain code", async () => {
    const finance = await makeUser(t.db, { partnerId: owner.partnerId, role: "finance" });
    const e = await mutationError(finance.id, "console.createOrder", { sku: FIXED_25_USD, faceValue: "25.00", quantity: 1 });
    expect([e.data.code, e.data.errorCode, e.data.fieldErrors]).toEqual(["FORBIDDEN", null, {}]);
  });
});
