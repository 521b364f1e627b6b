import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineContract, jsonResponse, timestamp } from "@/server/rest/contract";
import { ApiError } from "@/server/rest/errors";
import { publicRoute } from "@/server/rest/handler";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

/**
 * Under test every /api/v1 answer goes through its contract (API_VALIDATE_RESPONSES defaults to on
 * with NODE_ENV=test): a route whose answer breaks what its contract documents answers 500
 * response_contract_violation, and the tests' `call` helper fails on it. These routes break it on
 * purpose, one way each.
 */

let t: TestDatabase;
beforeAll(async () => {
  process.env.STELLER_REQUEST_LOG = "off";
  t = await createTestDatabase(4);
  bindAppDatabase(t);
});
afterAll(async () => {
  await t?.close();
});

const thing = z.object({ id: z.string(), count: z.number().int(), at: timestamp });
const contract = defineContract({
  method: "GET",
  path: "/api/v1/things/{id}",
  access: "public",
  tag: "Test",
  summary: "A thing",
  responses: { 200: jsonResponse(thing, "The thing") },
  errors: ["resource_not_found"],
});
const route = (answer: () => unknown) => publicRoute(contract, {}, async () => answer() as never);
const path = "/api/v1/things/t_1";
const raw = async (handler: ReturnType<typeof route>) => {
  const res = await handler(new Request(`http://localhost${path}`), { params: Promise.resolve({ id: "t_1" }) });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string } } };
};

describe("answers checked against their contract under test", () => {
  it("lets a documented answer through (a Date on the way out is an ISO string on the wire)", async () => {
    const r = await call(
      route(() => ({ id: "t_1", count: 2, at: new Date("2026-11-29T10:00:00Z") })),
      path,
    );
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: "t_1", count: 2, at: "2026-11-29T10:00:00.000Z" });
    const missing = await call(
      route(() => {
        throw new ApiError(404, "not_found_error", "resource_not_found", "No such thing");
      }),
      path,
    );
    expect(missing.status).toBe(404);
  });

  it("turns a field of the wrong type into a 500 response_contract_violation that names it, and the call helper fails the test", async () => {
    const wrong = route(() => ({ id: "t_1", count: "2", at: new Date() }));
    const r = await raw(wrong);
    expect(r.status).toBe(500);
    expect(r.json.error).toMatchObject({ code: "response_contract_violation", message: expect.stringContaining("count: ") });
    await expect(call(wrong, path)).rejects.toThrow(
      /Response contract violation: GET \/api\/v1\/things\/\{id\} answered 200 with a body that breaks its documented schema: count/,
    );
  });

  it("refuses a field the contract does not document, a status it does not document and an error code it does not document", async () => {
    const extra = await raw(route(() => ({ id: "t_1", count: 2, at: new Date(), secretHash: "x" })));
    expect(extra.json.error).toMatchObject({ code: "response_contract_violation", message: expect.stringContaining("does not have: secretHash") });
    const status = await raw(
      route(() => {
        throw new ApiError(409, "conflict_error", "busy", "Busy");
      }),
    );
    expect(status.json.error).toMatchObject({
      code: "response_contract_violation",
      message: expect.stringContaining("answered 409, a status its contract does not document"),
    });
    const code = await raw(
      route(() => {
        throw new ApiError(404, "not_found_error", "thing_gone", "Gone");
      }),
    );
    expect(code.json.error).toMatchObject({
      code: "response_contract_violation",
      message: expect.stringContaining("error code thing_gone, not documented for 404"),
    });
  });
});
