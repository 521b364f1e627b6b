import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/keys/route";
import { apiKeys, auditLog, partners } from "@/server/db/schema";
import { createApiKey } from "@/server/keys";
import { revokePartnerKey } from "@/server/partners/admin";
import { bindAppDatabase, call } from "../support/app";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

// Issue 17 item 7: an admin manages a partner's API keys (admin.keys.*): list with last use,
// issue (test/live, IP allowlist; live only for a partner with live access; secret shown once),
// revoke. Each change writes one audit entry in its transaction; a refused one writes none.

let t: TestDatabase;
let adminId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  adminId = (await makeUser(t.db, { admin: true })).id;
});
afterAll(async () => {
  await t?.close();
});

const admin = () => sessionCaller(t.db, adminId);
const keyAudit = (partnerId: string) =>
  t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.partnerId, partnerId), eq(auditLog.targetType, "api_key")));

async function partnerWithOwner() {
  const partnerId = await makePartner(t.db, "Keys Co");
  const owner = await makeUser(t.db, { partnerId, role: "owner" });
  return { partnerId, owner };
}

describe("admin.keys", () => {
  it("refuses a partner owner every procedure, even for its own partner (FORBIDDEN), and writes nothing", async () => {
    const { partnerId, owner } = await partnerWithOwner();
    const { key } = await createApiKey(t.db, { partnerId, environment: "sandbox", actor: owner.id });
    const api = (await sessionCaller(t.db, owner.id)).admin.keys;
    expect(await codeOf(api.list({ partnerId }))).toBe("FORBIDDEN");
    expect(await codeOf(api.issue({ partnerId, environment: "sandbox" }))).toBe("FORBIDDEN");
    expect(await codeOf(api.revoke({ partnerId, keyId: key.id }))).toBe("FORBIDDEN");
    expect(await t.db.select().from(apiKeys).where(eq(apiKeys.partnerId, partnerId))).toHaveLength(1);
    expect(await keyAudit(partnerId)).toHaveLength(1); // the creation above only
  });

  it("issues a sandbox key with an IP allowlist: the secret once, the key works from the allowed range only; audited once", async () => {
    const { partnerId } = await partnerWithOwner();
    const api = await admin();
    const issued = await api.admin.keys.issue({ partnerId, environment: "sandbox", name: "Handed over", ipAllowlist: ["203.0.113.0/24"] });
    expect(issued.secret).toMatch(/^stlr_test_/);
    expect(issued.key).toMatchObject({ name: "Handed over", environment: "sandbox", ipAllowlist: ["203.0.113.0/24"], status: "active" });
    expect(JSON.stringify(issued.key)).not.toContain(issued.secret);
    expect((await call(keysRoute.GET, "/api/v1/keys", { key: issued.secret, ip: "203.0.113.9" })).status).toBe(200);
    expect((await call(keysRoute.GET, "/api/v1/keys", { key: issued.secret, ip: "198.51.100.1" })).status).toBe(403);

    const listed = await api.admin.keys.list({ partnerId });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: issued.key.id, start: issued.key.start });
    expect(listed[0]!.lastUsedAt).not.toBeNull(); // the request above
    expect(JSON.stringify(listed)).not.toContain(issued.secret);
    const audit = await keyAudit(partnerId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "api_key.created", actorUserId: adminId, targetId: issued.key.id, after: { ipAllowlist: ["203.0.113.0/24"] } });
  });

  it("refuses a live key until the partner is live (nothing written), a bad allowlist entry, and issues it once live", async () => {
    const { partnerId } = await partnerWithOwner();
    const api = await admin();
    const refused = await api.admin.keys.issue({ partnerId, environment: "live" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "FORBIDDEN" });
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe("live_access_required");
    expect(await codeOf(api.admin.keys.issue({ partnerId, environment: "sandbox", ipAllowlist: ["not-an-ip"] }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.admin.keys.issue({ partnerId: "ptn_missing", environment: "sandbox" }))).toBe("NOT_FOUND");
    expect(await t.db.select().from(apiKeys).where(eq(apiKeys.partnerId, partnerId))).toHaveLength(0);
    expect(await keyAudit(partnerId)).toHaveLength(0);

    await t.db.update(partners).set({ onboardingState: "live" }).where(eq(partners.id, partnerId));
    const live = await api.admin.keys.issue({ partnerId, environment: "live", name: "prod" });
    expect(live.secret).toMatch(/^stlr_live_/);
    expect(await keyAudit(partnerId)).toHaveLength(1);
  });

  it("revokes a key with a reason (the API refuses it at once), audited once; revoking again or another partner's key is NOT_FOUND and writes nothing", async () => {
    const { partnerId, owner } = await partnerWithOwner();
    const other = await partnerWithOwner();
    const { key, secret } = await createApiKey(t.db, { partnerId, environment: "sandbox", actor: owner.id });
    const { key: otherKey } = await createApiKey(t.db, { partnerId: other.partnerId, environment: "sandbox", actor: other.owner.id });
    const api = await admin();
    const revoked = await api.admin.keys.revoke({ partnerId, keyId: key.id, reason: "Leaked in a public repository" });
    expect(revoked.status).toBe("revoked");
    const answer = await call(keysRoute.GET, "/api/v1/keys", { key: secret });
    expect(answer.status).toBe(401);
    expect(answer.json.error.code).toBe("revoked_api_key");
    const entries = (await keyAudit(partnerId)).filter((e) => e.action === "api_key.revoked");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorUserId: adminId, reason: "Leaked in a public repository", targetId: key.id });

    expect(await codeOf(api.admin.keys.revoke({ partnerId, keyId: key.id }))).toBe("NOT_FOUND");
    expect(await codeOf(api.admin.keys.revoke({ partnerId, keyId: otherKey.id }))).toBe("NOT_FOUND");
    expect((await keyAudit(partnerId)).filter((e) => e.action === "api_key.revoked")).toHaveLength(1);
    expect((await t.db.select().from(apiKeys).where(eq(apiKeys.id, otherKey.id)))[0]!.revokedAt).toBeNull();
  });

  it("records the admin's client IP with the revocation", async () => {
    const { partnerId, owner } = await partnerWithOwner();
    const { key } = await createApiKey(t.db, { partnerId, environment: "sandbox", actor: owner.id });
    await revokePartnerKey(t.db, { partnerId, keyId: key.id, actor: adminId, ip: "198.51.100.23" });
    const [entry] = (await keyAudit(partnerId)).filter((e) => e.action === "api_key.revoked");
    expect(entry!.ip).toBe("198.51.100.23");
  });
});
