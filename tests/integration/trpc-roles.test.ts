import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSessionUser } from "@/server/auth/session-user";
import { memberships, partners, users } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { codeOf, sessionCaller } from "../support/callers";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.close());

async function callerFor(userId: string | null) {
  return sessionCaller(t.db, userId);
}

describe("tRPC procedures by role", () => {
  it("refuses a signed-out caller with UNAUTHORIZED", async () => {
    const api = await callerFor(null);
    expect(await codeOf(api.me.get())).toBe("UNAUTHORIZED");
    expect(await codeOf(api.admin.partners.list())).toBe("UNAUTHORIZED");
    expect(await codeOf(api.partner.overview())).toBe("UNAUTHORIZED");
  });

  it("lets an admin list partners and refuses partner procedures to an admin without membership", async () => {
    const admin = await makeUser(t.db, { admin: true });
    const api = await callerFor(admin.id);
    expect(await codeOf(api.admin.partners.list())).toBe("OK");
    expect(await codeOf(api.partner.overview())).toBe("FORBIDDEN");
  });

  it("gives a partner user FORBIDDEN on admin procedures", async () => {
    const partnerId = await makePartner(t.db);
    const owner = await makeUser(t.db, { partnerId, role: "owner" });
    const api = await callerFor(owner.id);
    expect(await codeOf(api.admin.partners.list())).toBe("FORBIDDEN");
    const overview = await api.partner.overview();
    expect(overview.partner.id).toBe(partnerId);
  });

  it("checks membership roles: finance sees the team, a developer does not", async () => {
    const partnerId = await makePartner(t.db);
    const finance = await makeUser(t.db, { partnerId, role: "finance" });
    const dev = await makeUser(t.db, { partnerId, role: "developer" });
    expect(await codeOf((await callerFor(finance.id)).partner.team())).toBe("OK");
    expect(await codeOf((await callerFor(dev.id)).partner.team())).toBe("FORBIDDEN");
  });

  it("lets developers manage API keys and keeps finance out of them", async () => {
    const partnerId = await makePartner(t.db);
    const dev = await makeUser(t.db, { partnerId, role: "developer" });
    const finance = await makeUser(t.db, { partnerId, role: "finance" });
    const asDev = await callerFor(dev.id);
    const created = await asDev.partner.keys.create({ environment: "sandbox", name: "ci" });
    expect(created.secret).toMatch(/^stlr_test_/);
    expect((await asDev.partner.keys.list()).map((k) => k.id)).toEqual([created.id]);
    expect(await codeOf((await callerFor(finance.id)).partner.keys.list())).toBe("FORBIDDEN");
    expect(await codeOf((await callerFor(finance.id)).partner.wallets())).toBe("OK");
    const other = await makeUser(t.db, { partnerId: await makePartner(t.db), role: "owner" });
    expect(await codeOf((await callerFor(other.id)).partner.keys.revoke({ keyId: created.id }))).toBe("NOT_FOUND");
    await asDev.partner.keys.revoke({ keyId: created.id });
    expect((await asDev.partner.keys.list())[0]!.status).toBe("revoked");
  });

  it("scopes the partner overview to the caller's own partner", async () => {
    const a = await makePartner(t.db, "Partner A");
    const b = await makePartner(t.db, "Partner B");
    await makeUser(t.db, { partnerId: b, role: "owner" });
    const userA = await makeUser(t.db, { partnerId: a, role: "owner" });
    const overview = await (await callerFor(userA.id)).partner.overview();
    expect(overview.partner.businessName).toBe("Partner A");
    expect(overview.team.every((m) => m.email !== undefined)).toBe(true);
    expect(overview.team).toHaveLength(1);
  });

  it("drops access at the next request when a user is suspended, removed or their partner suspended", async () => {
    const partnerId = await makePartner(t.db);
    const u1 = await makeUser(t.db, { partnerId });
    const u2 = await makeUser(t.db, { partnerId });
    const u3 = await makeUser(t.db, { partnerId });
    expect(await loadSessionUser(t.db, u1.id)).not.toBeNull();
    await t.db.update(users).set({ status: "suspended" }).where(eq(users.id, u1.id));
    expect(await loadSessionUser(t.db, u1.id)).toBeNull();
    await t.db.delete(memberships).where(eq(memberships.userId, u2.id));
    expect(await loadSessionUser(t.db, u2.id)).toBeNull();
    await t.db.update(partners).set({ status: "suspended" }).where(eq(partners.id, partnerId));
    expect(await loadSessionUser(t.db, u3.id)).toBeNull();
    expect(await codeOf((await callerFor(u3.id)).partner.overview())).toBe("UNAUTHORIZED");
  });
});
