import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { and, eq } from "drizzle-orm";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/keys/route";
import type { MemberRole } from "@/server/auth/session-user";
import { loadSessionUser } from "@/server/auth/session-user";
import { apiKeys, auditLog, partners, requestLogs } from "@/server/db/schema";
import { processServices } from "@/server/boot/services";
import { appRouter } from "@/server/trpc/root";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { codeOf, sessionCaller } from "../support/callers";

// The dashboard's API keys (issue 16, item 6): partner.keys.* as each role and another partner
// see them, and what the API then does with the keys they create, rotate and revoke.

let t: TestDatabase;
let partnerA: string;
let partnerB: string;
const users: Partial<Record<MemberRole, string>> = {};
let ownerB: string;

const callerFor = (userId: string) => sessionCaller(t.db, userId);

/** A mutation through the tRPC HTTP handler, as a browser gets its error (code, field errors). */
async function mutationError(userId: string, path: string, input: unknown) {
  const user = await loadSessionUser(t.db, userId);
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
  return superjson.deserialize<{ message: string; data: { code: string; errorCode: string | null; fieldErrors: Record<string, string[]> } }>(body.error!);
}

/** A request with the key, to the API: its status and error code. */
async function requestWith(secret: string) {
  const r = await call(keysRoute.GET, "/api/v1/keys", { key: secret });
  return { status: r.status, code: r.json?.error?.code as string | undefined, message: r.json?.error?.message as string | undefined };
}

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  partnerA = await makePartner(t.db, "Keys A");
  partnerB = await makePartner(t.db, "Keys B");
  for (const role of ["owner", "developer", "finance"] as const) users[role] = (await makeUser(t.db, { partnerId: partnerA, role })).id;
  ownerB = (await makeUser(t.db, { partnerId: partnerB, role: "owner" })).id;
});

afterAll(async () => {
  await processServices().requestLog.flush();
  await t?.close();
});

describe("partner.keys: roles and tenant isolation", () => {
  it("lets owners and developers manage keys, refuses finance, and hides A's keys from B", async () => {
    const dev = await callerFor(users.developer!);
    const created = await dev.partner.keys.create({ environment: "sandbox", name: "matrix" });
    const matrix: Array<[string, (api: Awaited<ReturnType<typeof callerFor>>) => Promise<unknown>]> = [
      ["list", (api) => api.partner.keys.list({ environment: "sandbox" })],
      ["create", (api) => api.partner.keys.create({ environment: "sandbox", name: "by role" })],
      ["rotate", async (api) => api.partner.keys.rotate({ keyId: (await dev.partner.keys.create({ environment: "sandbox" })).id, overlapSeconds: 0 })],
      ["revoke", async (api) => api.partner.keys.revoke({ keyId: (await dev.partner.keys.create({ environment: "sandbox" })).id })],
    ];
    for (const [name, run] of matrix) {
      for (const role of ["owner", "developer", "finance"] as const) {
        expect([name, role, await codeOf(run(await callerFor(users[role]!)))]).toEqual([name, role, role === "finance" ? "FORBIDDEN" : "OK"]);
      }
    }
    const b = await callerFor(ownerB);
    expect(await codeOf(b.partner.keys.rotate({ keyId: created.id, overlapSeconds: 0 }))).toBe("NOT_FOUND");
    expect(await codeOf(b.partner.keys.revoke({ keyId: created.id }))).toBe("NOT_FOUND");
    expect((await b.partner.keys.list({ environment: "sandbox" })).map((k) => k.id)).not.toContain(created.id);
    // A's key is untouched by B's attempts.
    expect((await requestWith(created.secret)).status).toBe(200);
  });

  it("creates live keys only after go-live approval", async () => {
    const e = await mutationError(users.owner!, "partner.keys.create", { environment: "live", name: "too early" });
    expect([e.data.code, e.data.errorCode]).toEqual(["FORBIDDEN", "live_access_required"]);
    await t.db.update(partners).set({ onboardingState: "live" }).where(eq(partners.id, partnerA));
    const live = await (await callerFor(users.owner!)).partner.keys.create({ environment: "live", name: "approved" });
    expect(live.secret).toMatch(/^stlr_live_/);
    await t.db.update(partners).set({ onboardingState: "sandbox_active" }).where(eq(partners.id, partnerA));
  });
});

describe("partner.keys.create: allowlist and expiry", () => {
  it("sends allowlist mistakes back as field errors, and the API honours the allowlist it stored", async () => {
    const e = await mutationError(users.developer!, "partner.keys.create", { environment: "sandbox", ipAllowlist: ["203.0.113.0/24", "10.0.0.999", ""] });
    expect(e.data.code).toBe("BAD_REQUEST");
    expect(e.data.fieldErrors.ipAllowlist).toEqual([
      '"10.0.0.999" is not an IPv4/IPv6 address or CIDR range (like 203.0.113.7 or 203.0.113.0/24).',
      "Enter an IP address or CIDR range, or remove this row.",
    ]);
    const badDate = await mutationError(users.developer!, "partner.keys.create", { environment: "sandbox", expiry: "date", expiresOn: "2020-01-01" });
    expect(badDate.data.fieldErrors).toEqual({ expiresOn: ["Choose a day after today."] });

    const dev = await callerFor(users.developer!);
    const k = await dev.partner.keys.create({ environment: "sandbox", name: "office", ipAllowlist: [" 198.51.100.0/24 ", "2001:db8::1"] });
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, k.id));
    expect(row!.ipAllowlist).toEqual(["198.51.100.0/24", "2001:db8::1"]);
    expect((await call(keysRoute.GET, "/api/v1/keys", { key: k.secret, ip: "198.51.100.7" })).status).toBe(200);
    const outside = await call(keysRoute.GET, "/api/v1/keys", { key: k.secret, ip: "192.0.2.1" });
    expect([outside.status, outside.json.error.code]).toEqual([403, "ip_not_allowed"]);
  });

  it("sets the expiry chosen (days or a date); once it passes the API answers 401 expired_api_key with a clear message", async () => {
    const dev = await callerFor(users.developer!);
    const before = Date.now();
    const k30 = await dev.partner.keys.create({ environment: "sandbox", name: "30 days", expiry: "30" });
    expect(k30.expiresAt!.getTime() - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000);
    expect(k30.expiresAt!.getTime() - before).toBeLessThan(30 * 86_400_000 + 60_000);
    const day = `${new Date().getUTCFullYear() + 2}-01-31`;
    const onDate = await dev.partner.keys.create({ environment: "sandbox", name: "dated", expiry: "date", expiresOn: day });
    expect(onDate.expiresAt!.toISOString()).toBe(`${day}T00:00:00.000Z`);
    const never = await dev.partner.keys.create({ environment: "sandbox", name: "forever" });
    expect(never.expiresAt).toBeNull();

    expect((await requestWith(k30.secret)).status).toBe(200);
    // Thirty days later (the clock moved by moving the expiry into the past).
    await t.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, k30.id));
    const expired = await requestWith(k30.secret);
    expect([expired.status, expired.code]).toEqual([401, "expired_api_key"]);
    expect(expired.message).toBe("The API key has expired (its expiry date passed, or it was rotated and its overlap ended); use a current key");
    const listed = (await dev.partner.keys.list({ environment: "sandbox" })).find((k) => k.id === k30.id)!;
    expect([listed.status, listed.badges]).toEqual(["expired", ["expired"]]);
  });
});

describe("partner.keys.rotate and revoke", () => {
  it("keeps the old key working for the overlap chosen, then not; the new key keeps the settings", async () => {
    const dev = await callerFor(users.developer!);
    const old = await dev.partner.keys.create({ environment: "sandbox", name: "rotating", ipAllowlist: ["127.0.0.1"], expiry: "90" });
    const before = Date.now();
    const r = await dev.partner.keys.rotate({ keyId: old.id, overlapSeconds: 3600 });
    expect(r.previous.id).toBe(old.id);
    expect(r.previous.status).toBe("rotating");
    expect(r.previous.expiresAt!.getTime() - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(r.previous.expiresAt!.getTime() - before).toBeLessThan(3600_000 + 60_000);
    expect([r.key.name, r.key.ipAllowlist, r.key.expiresAt?.getTime()]).toEqual(["rotating", ["127.0.0.1"], old.expiresAt!.getTime()]);
    expect((await requestWith(old.secret)).status).toBe(200);
    expect((await requestWith(r.secret)).status).toBe(200);
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "api_key.rotated"), eq(auditLog.targetId, old.id)));
    expect(audit?.metadata).toMatchObject({ replacedBy: r.key.id });

    // No overlap: the key being replaced stops at once.
    const r2 = await dev.partner.keys.rotate({ keyId: r.key.id, overlapSeconds: 0 });
    expect([(await requestWith(r.secret)).status, (await requestWith(r.secret)).code]).toEqual([401, "expired_api_key"]);
    expect((await requestWith(r2.secret)).status).toBe(200);
    // More than the domain allows is refused on the field.
    const tooLong = await mutationError(users.developer!, "partner.keys.rotate", { keyId: r2.key.id, overlapSeconds: 31 * 86_400 });
    expect(Object.keys(tooLong.data.fieldErrors)).toEqual(["overlapSeconds"]);
  });

  it("revokes at once: the next request with the key answers 401 revoked_api_key", async () => {
    const dev = await callerFor(users.developer!);
    const k = await dev.partner.keys.create({ environment: "sandbox", name: "to revoke" });
    expect((await requestWith(k.secret)).status).toBe(200);
    const revoked = await dev.partner.keys.revoke({ keyId: k.id });
    expect(revoked.status).toBe("revoked");
    expect(await requestWith(k.secret)).toMatchObject({ status: 401, code: "revoked_api_key" });
    const listed = (await dev.partner.keys.list({ environment: "sandbox" })).find((x) => x.id === k.id)!;
    expect(listed.badges).toEqual(["revoked"]);
  });
});

describe("partner.keys.list: badges", () => {
  it("marks expiring soon (≤ 7 days), and rate-limited recently from real 429s in the request log of the last 24 h", async () => {
    const dev = await callerFor(users.developer!);
    const soon = await dev.partner.keys.create({
      environment: "sandbox",
      name: "soon",
      expiry: "date",
      expiresOn: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
    });
    const later = await dev.partner.keys.create({ environment: "sandbox", name: "later", expiry: "30" });
    const busy = await dev.partner.keys.create({ environment: "sandbox", name: "busy" });
    const quiet = await dev.partner.keys.create({ environment: "sandbox", name: "quiet" });

    // Spend the busy key's burst until the API refuses it (429), as a client in a loop would.
    let limited = 0;
    for (let i = 0; i < 400 && limited < 3; i++) if ((await requestWith(busy.secret)).status === 429) limited++;
    expect(limited).toBe(3);
    expect((await requestWith(quiet.secret)).status).toBe(200);
    await processServices().requestLog.flush();

    const byId = new Map((await dev.partner.keys.list({ environment: "sandbox" })).map((k) => [k.id, k]));
    expect(byId.get(soon.id)!.badges).toEqual(["active", "expiring_soon"]);
    expect(byId.get(later.id)!.badges).toEqual(["active"]);
    expect(byId.get(busy.id)!.badges).toEqual(["active", "rate_limited"]);
    expect(byId.get(busy.id)!.rateLimited24h).toBe(3);
    expect(byId.get(quiet.id)!.badges).toEqual(["active"]);
    expect(byId.get(quiet.id)!.lastUsedAt).not.toBeNull();

    // 429s older than 24 hours no longer count.
    await t.db
      .update(requestLogs)
      .set({ createdAt: new Date(Date.now() - 25 * 3600_000) })
      .where(and(eq(requestLogs.status, 429), eq(requestLogs.keyStart, byId.get(busy.id)!.start)));
    expect((await dev.partner.keys.list({ environment: "sandbox" })).find((k) => k.id === busy.id)!.badges).toEqual(["active"]);
  });
});
