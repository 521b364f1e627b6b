import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as revokeRoute from "@/app/api/v1/keys/[id]/revoke/route";
import * as rotateRoute from "@/app/api/v1/keys/[id]/rotate/route";
import * as keysRoute from "@/app/api/v1/keys/route";
import * as logsRoute from "@/app/api/v1/logs/route";
import type { MemberRole } from "@/server/auth/session-user";
import { processServices } from "@/server/boot/services";
import { createApiKey } from "@/server/keys";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { codeOf, sessionCaller } from "../support/callers";

// The request logs explorer (issue 16, item 8): logs.* over requests really made to the API,
// by role, by partner, and compared with GET /api/v1/logs (the same domain query).

let t: TestDatabase;
let partnerA: string;
let partnerB: string;
const users: Partial<Record<MemberRole, string>> = {};
let ownerB: string;
let keyA1: { id: string; secret: string };
let keyA2: { id: string; secret: string };
let keyB: { id: string; secret: string };

const callerFor = (userId: string) => sessionCaller(t.db, userId);

async function keyOf(partnerId: string, name: string) {
  const { key, secret } = await createApiKey(t.db, { partnerId, environment: "sandbox", name, actor: "test" });
  return { id: key.id, secret };
}

const sandbox = { environment: "sandbox" as const };

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  partnerA = await makePartner(t.db, "Logs A");
  partnerB = await makePartner(t.db, "Logs B");
  for (const role of ["owner", "developer", "finance"] as const) users[role] = (await makeUser(t.db, { partnerId: partnerA, role })).id;
  ownerB = (await makeUser(t.db, { partnerId: partnerB, role: "owner" })).id;
  keyA1 = await keyOf(partnerA, "server one");
  keyA2 = await keyOf(partnerA, "server two");
  keyB = await keyOf(partnerB, "other partner");
  // Partner A, key 1: 3 × 200 (GET /keys), 2 × 400 invalid_parameter (GET /logs?limit=0),
  // 1 × 403 key_not_self (POST /keys/{key 2}/revoke). Key 2: 1 × 200, 1 × 404 (rotate an unknown key).
  for (let i = 0; i < 3; i++) expect((await call(keysRoute.GET, "/api/v1/keys", { key: keyA1.secret, ip: "198.51.100.7" })).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await call(logsRoute.GET, "/api/v1/logs", { key: keyA1.secret, query: { limit: "0" } })).status).toBe(400);
  expect((await call(revokeRoute.POST, `/api/v1/keys/${keyA2.id}/revoke`, { key: keyA1.secret, params: { id: keyA2.id }, body: {} })).status).toBe(403);
  expect((await call(keysRoute.GET, "/api/v1/keys", { key: keyA2.secret })).status).toBe(200);
  expect((await call(rotateRoute.POST, "/api/v1/keys/key_nope/rotate", { key: keyA2.secret, params: { id: "key_nope" }, body: {} })).status).toBe(404);
  // Partner B: one request.
  expect((await call(keysRoute.GET, "/api/v1/keys", { key: keyB.secret })).status).toBe(200);
  await processServices().requestLog.flush();
});

afterAll(async () => {
  await t?.close();
});

describe("logs.*: roles and tenant isolation", () => {
  it("answers owners and developers; finance gets FORBIDDEN from every procedure", async () => {
    const anyId = (await (await callerFor(users.owner!)).logs.list(sandbox)).data[0]!.id;
    const procedures: Array<[string, (api: Awaited<ReturnType<typeof callerFor>>) => Promise<unknown>]> = [
      ["list", (api) => api.logs.list(sandbox)],
      ["get", (api) => api.logs.get({ id: anyId })],
      ["errorsByCode", (api) => api.logs.errorsByCode(sandbox)],
    ];
    for (const [name, run] of procedures) {
      for (const role of ["owner", "developer", "finance"] as const) {
        expect([name, role, await codeOf(run(await callerFor(users[role]!)))]).toEqual([name, role, role === "finance" ? "FORBIDDEN" : "OK"]);
      }
    }
  });

  it("gives partner B NOT_FOUND for A's log ids and key ids, and none of A's rows", async () => {
    const a = await callerFor(users.developer!);
    const b = await callerFor(ownerB);
    const aRows = (await a.logs.list({ ...sandbox, limit: 100 })).data;
    expect(aRows).toHaveLength(8);
    expect(await codeOf(b.logs.get({ id: aRows[0]!.id }))).toBe("NOT_FOUND");
    expect(await codeOf(b.logs.list({ ...sandbox, keyId: keyA1.id }))).toBe("NOT_FOUND");
    expect(await codeOf(b.logs.errorsByCode({ ...sandbox, keyId: keyA1.id }))).toBe("NOT_FOUND");
    const bRows = (await b.logs.list({ ...sandbox, limit: 100 })).data;
    expect(bRows).toHaveLength(1);
    expect(bRows.map((r) => r.id)).not.toContain(aRows[0]!.id);
    expect(await codeOf(a.logs.get({ id: bRows[0]!.id }))).toBe("NOT_FOUND");
  });
});

describe("logs.list: filters and cursor pagination", () => {
  it("filters by status class, method, path, key and date range", async () => {
    const api = await callerFor(users.developer!);
    const list = async (f: Record<string, string>) => (await api.logs.list({ ...sandbox, limit: 100, ...f })).data;
    expect((await list({ statusClass: "2xx" })).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await list({ statusClass: "4xx" })).map((r) => r.status).sort()).toEqual([400, 400, 403, 404]);
    expect(await list({ statusClass: "5xx" })).toEqual([]);
    expect((await list({ method: "POST" })).map((r) => r.status).sort()).toEqual([403, 404]);
    expect((await list({ path: "/LOGS" })).map((r) => r.path)).toEqual(["/api/v1/logs", "/api/v1/logs"]);
    const byKey2 = await list({ keyId: keyA2.id });
    expect(byKey2.map((r) => r.status).sort()).toEqual([200, 404]);
    expect(new Set(byKey2.map((r) => r.keyStart))).toEqual(new Set([expect.stringMatching(/^stlr_test_/)]));
    expect(await list({ keyId: keyA1.id, statusClass: "4xx", method: "GET" })).toHaveLength(2);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await list({ from: today, to: today })).toHaveLength(8);
    expect(await list({ from: tomorrow })).toEqual([]);
    expect(await list({ to: yesterday })).toEqual([]);
  });

  it("pages with a cursor through every row once, newest first, as GET /api/v1/logs pages them", async () => {
    const api = await callerFor(users.developer!);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await api.logs.list({ ...sandbox, limit: 3, after });
      seen.push(...r.data.map((x) => x.id));
      if (!r.nextCursor) break;
      after = r.nextCursor;
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect([...seen].sort().reverse()).toEqual(seen);
    const rest = await call(logsRoute.GET, "/api/v1/logs", { key: keyA2.secret, query: { limit: "100" } });
    // The REST call is logged after it answers: the API and the dashboard list the same rows.
    expect(rest.json.data.map((x: { id: string }) => x.id)).toEqual(seen);
  });
});

describe("logs.get and logs.errorsByCode", () => {
  it("shows one request's details, the key by name and start, never a secret, and says bodies are not stored", async () => {
    const api = await callerFor(users.developer!);
    const [row] = (await api.logs.list({ ...sandbox, keyId: keyA1.id, statusClass: "2xx", limit: 1 })).data;
    const detail = await api.logs.get({ id: row!.id });
    expect(detail).toMatchObject({
      id: row!.id,
      method: "GET",
      path: "/api/v1/keys",
      status: 200,
      ip: "198.51.100.7",
      requestId: expect.stringMatching(/^req_/),
      errorCode: null,
      environment: "sandbox",
      key: { id: keyA1.id, name: "server one" },
      bodiesStored: false,
    });
    expect(detail.latencyMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(detail)).not.toContain(keyA1.secret.slice(14));
  });

  it("groups the filtered range's errors by code with counts, most frequent first", async () => {
    const api = await callerFor(users.developer!);
    const all = await api.logs.errorsByCode(sandbox);
    expect(all.map(({ errorCode, status, count }) => ({ errorCode, status, count }))).toEqual([
      { errorCode: "invalid_parameter", status: 400, count: 2 },
      { errorCode: "key_not_self", status: 403, count: 1 },
      { errorCode: "resource_not_found", status: 404, count: 1 },
    ]);
    expect((await api.logs.errorsByCode({ ...sandbox, keyId: keyA2.id })).map((e) => [e.errorCode, e.count])).toEqual([["resource_not_found", 1]]);
    expect(await api.logs.errorsByCode({ ...sandbox, statusClass: "2xx" })).toEqual([]);
    expect(await api.logs.errorsByCode({ ...sandbox, from: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) })).toEqual([]);
  });
});

// Last: these REST calls are themselves logged, which would change the counts above.
describe("GET /api/v1/logs filters", () => {
  it("gives GET /api/v1/logs the same status-class and key filters, with the same rows", async () => {
    const api = await callerFor(users.developer!);
    const rest = async (query: Record<string, string>) =>
      (await call(logsRoute.GET, "/api/v1/logs", { key: keyA2.secret, query: { limit: "100", ...query } })).json;
    const dashboard = (await api.logs.list({ ...sandbox, limit: 100, keyId: keyA1.id, statusClass: "4xx" })).data.map((r) => r.id);
    expect(dashboard.length).toBeGreaterThan(0);
    expect((await rest({ keyId: keyA1.id, statusClass: "4xx" })).data.map((r: { id: string }) => r.id)).toEqual(dashboard);
    expect((await rest({ statusClass: "5xx" })).data).toEqual([]);
    const foreign = await call(logsRoute.GET, "/api/v1/logs", { key: keyB.secret, query: { keyId: keyA1.id } });
    expect([foreign.status, foreign.json.error.code]).toEqual([404, "resource_not_found"]);
    const bad = await call(logsRoute.GET, "/api/v1/logs", { key: keyA2.secret, query: { statusClass: "3xx" } });
    expect([bad.status, bad.json.error.param]).toEqual([400, "statusClass"]);
  });
});
