import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "@/lib/crypto";
import { env } from "@/lib/env";
import { sessionUserFromToken } from "@/server/auth/session-user";
import {
  beginEnrolment,
  checkSecondFactorProof,
  confirmEnrolment,
  currentCode,
  recoveryCodesLeft,
  regenerateRecoveryCodes,
  resetSecondFactor,
  secondFactorProof,
  secondFactorState,
  verifySecondFactor,
} from "@/server/auth/totp";
import { adminRecoveryCodes, adminSecondFactors, auditLog, users } from "@/server/db/schema";
import { appRouter } from "@/server/trpc/root";
import { bindAppDatabase } from "../support/app";
import { authBrowser } from "../support/auth-browser";
import { codeOf, sessionCaller, sessionUserOf } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
});
afterAll(async () => t?.close());

const limits = { maxFailuresPerEmail: 5, maxFailuresPerIp: 1_000, windowMinutes: 15 };
const key = () => env().ENCRYPTION_KEY;
const STEP = 30_000;

async function auditOf(userId: string, action: string) {
  return t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetId, userId), eq(auditLog.action, action)));
}

/** An admin enrolled at `at`: the secret and recovery codes. */
async function enrolledAdmin(at = Date.now()) {
  const admin = await makeUser(t.db, { admin: true, password: "admin-password-1" });
  const started = await beginEnrolment(t.db, { userId: admin.id, label: admin.email }, key());
  if (!started.ok) throw new Error(started.reason);
  const confirmed = await confirmEnrolment(t.db, { userId: admin.id, code: currentCode(started.secret, at), ip: "10.70.0.1" }, limits, key(), at);
  if (!confirmed.ok) throw new Error(confirmed.reason);
  return { ...admin, secret: started.secret, recoveryCodes: confirmed.recoveryCodes };
}

/** Every procedure path of the app router (as tests/resilience/support/trpc.ts reads them). */
const allPaths = () => Object.keys((appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures).sort();
const adminPaths = () => allPaths().filter((p) => p.startsWith("admin.") || p.startsWith("onboarding.admin."));

function callPath(api: unknown, path: string): Promise<unknown> {
  let fn: unknown = api;
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  return Promise.resolve().then(() => (fn as (input: unknown) => Promise<unknown>)({}));
}

describe("an admin without the second factor gets nothing", () => {
  it("is refused by every admin procedure (FORBIDDEN), as are partner owners; with the factor the admin is an admin", async () => {
    const paths = adminPaths();
    expect(paths.length).toBeGreaterThan(10);
    expect(paths).toContain("admin.partners.list");
    const admin = await enrolledAdmin();
    const owner = await makeUser(t.db, { partnerId: await makePartner(t.db, "2FA Owner Ltd"), role: "owner" });
    const without = await sessionCaller(t.db, admin.id, { secondFactor: false });
    const asOwner = await sessionCaller(t.db, owner.id);
    const visitor = await sessionCaller(t.db, null);
    const got: Record<string, string[]> = {};
    for (const path of paths) {
      got[path] = [await codeOf(callPath(without, path)), await codeOf(callPath(asOwner, path)), await codeOf(callPath(visitor, path))];
    }
    expect(got).toEqual(Object.fromEntries(paths.map((p) => [p, ["FORBIDDEN", "FORBIDDEN", "UNAUTHORIZED"]])));

    const user = await sessionUserOf(t.db, admin.id, { secondFactor: false });
    expect([user?.isAdmin, user?.adminFactor]).toEqual([false, "verify"]);
    expect(await codeOf((await sessionCaller(t.db, admin.id)).admin.partners.list({}))).toBe("OK");
  });

  it("an admin who never enrolled is told to enrol; a session token without the factor is no admin", async () => {
    const admin = await makeUser(t.db, { admin: true });
    expect((await sessionUserOf(t.db, admin.id, { secondFactor: false }))?.adminFactor).toBe("enrol");
    const [row] = await t.db.select({ sv: users.sessionVersion }).from(users).where(eq(users.id, admin.id));
    expect((await sessionUserFromToken(t.db, { id: admin.id, sv: row!.sv }))?.isAdmin).toBe(false);
    expect((await sessionUserFromToken(t.db, { id: admin.id, sv: row!.sv, tf: true }))?.isAdmin).toBe(true);
    expect(await sessionUserFromToken(t.db, { id: admin.id, sv: row!.sv + 1, tf: true })).toBeNull();
  });
});

describe("enrolment", () => {
  it("stores the secret encrypted, counts only once proved by a code, issues 10 hashed recovery codes and audits once", async () => {
    const admin = await makeUser(t.db, { admin: true });
    const started = await beginEnrolment(t.db, { userId: admin.id, label: admin.email }, key());
    if (!started.ok) throw new Error(started.reason);
    expect(started.url).toMatch(/^otpauth:\/\/totp\/Steller:.*secret=/);
    expect(started.qrSvg).toContain("<svg");
    const [stored] = await t.db.select().from(adminSecondFactors).where(eq(adminSecondFactors.userId, admin.id));
    expect(stored!.secretCiphertext).not.toContain(started.secret);
    expect(decryptSecret(stored!.secretCiphertext, key())).toBe(started.secret);
    expect(await secondFactorState(t.db, admin.id)).toBe("pending");

    // Reloading the page makes a new secret: the first one is never shown again and no longer works.
    const again = await beginEnrolment(t.db, { userId: admin.id, label: admin.email }, key());
    if (!again.ok) throw new Error(again.reason);
    expect(again.secret).not.toBe(started.secret);
    const now = Date.now();
    expect(await confirmEnrolment(t.db, { userId: admin.id, code: currentCode(started.secret, now), ip: "10.71.0.1" }, limits, key(), now)).toEqual({
      ok: false,
      reason: "wrong_code",
    });
    expect(await auditOf(admin.id, "admin.second_factor_enrolled")).toHaveLength(0);

    const confirmed = await confirmEnrolment(t.db, { userId: admin.id, code: currentCode(again.secret, now), ip: "10.71.0.1" }, limits, key(), now);
    if (!confirmed.ok) throw new Error(confirmed.reason);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.recoveryCodes).size).toBe(10);
    const hashes = await t.db.select().from(adminRecoveryCodes).where(eq(adminRecoveryCodes.userId, admin.id));
    expect(hashes).toHaveLength(10);
    for (const h of hashes) expect(confirmed.recoveryCodes.some((c) => h.codeHash.includes(c.replace("-", "")))).toBe(false);
    const audits = await auditOf(admin.id, "admin.second_factor_enrolled");
    expect(audits.map((a) => [a.actorUserId, a.ip])).toEqual([[admin.id, "10.71.0.1"]]);
    expect(await secondFactorState(t.db, admin.id)).toBe("enrolled");
    expect(await beginEnrolment(t.db, { userId: admin.id, label: admin.email }, key())).toEqual({ ok: false, reason: "already_enrolled" });
  });
});

describe("sign-in with the second factor", () => {
  it("accepts a current code once: the same code, or an older one, cannot be replayed in its window", async () => {
    const t0 = Date.now() - 10 * STEP;
    const admin = await enrolledAdmin(t0);
    const at = t0 + 4 * STEP;
    const code = currentCode(admin.secret, at);
    const ip = "10.72.0.1";
    expect(await verifySecondFactor(t.db, { userId: admin.id, code, ip }, limits, key(), at)).toEqual({ ok: true, method: "totp" });
    expect(await verifySecondFactor(t.db, { userId: admin.id, code, ip }, limits, key(), at + 1_000)).toEqual({ ok: false, reason: "replayed" });
    // The previous step's code is still inside the window but older than the one used.
    const older = currentCode(admin.secret, at - STEP);
    expect(await verifySecondFactor(t.db, { userId: admin.id, code: older, ip }, limits, key(), at)).toEqual({ ok: false, reason: "replayed" });
    const next = currentCode(admin.secret, at + STEP);
    expect(await verifySecondFactor(t.db, { userId: admin.id, code: next, ip }, limits, key(), at + STEP)).toEqual({ ok: true, method: "totp" });
    // Far outside the window: wrong.
    expect(await verifySecondFactor(t.db, { userId: admin.id, code: currentCode(admin.secret, at + 10 * STEP), ip }, limits, key(), at + STEP)).toEqual({
      ok: false,
      reason: "wrong_code",
    });
  });

  it("accepts each recovery code once, audited with how many remain", async () => {
    const admin = await enrolledAdmin();
    const ip = "10.73.0.1";
    const [first] = admin.recoveryCodes;
    expect(await verifySecondFactor(t.db, { userId: admin.id, code: ` ${first!.toUpperCase()} `, ip }, limits, key())).toEqual({
      ok: true,
      method: "recovery_code",
      recoveryCodesLeft: 9,
    });
    expect(await verifySecondFactor(t.db, { userId: admin.id, code: first!, ip }, limits, key())).toEqual({ ok: false, reason: "wrong_code" });
    const audits = await auditOf(admin.id, "admin.recovery_code_used");
    expect(audits.map((a) => [a.ip, a.metadata])).toEqual([[ip, { recoveryCodesLeft: 9 }]]);

    const regenerated = await regenerateRecoveryCodes(t.db, { userId: admin.id, ip });
    if (!regenerated.ok) throw new Error(regenerated.reason);
    expect(await recoveryCodesLeft(t.db, admin.id)).toBe(10);
    expect(await verifySecondFactor(t.db, { userId: admin.id, code: admin.recoveryCodes[1]!, ip }, limits, key())).toEqual({ ok: false, reason: "wrong_code" });
    expect(await auditOf(admin.id, "admin.recovery_codes_regenerated")).toHaveLength(1);
  });

  it("counts wrong codes against the sign-in limiter: past the limit even the right code is refused", async () => {
    const admin = await enrolledAdmin(Date.now() - 5 * STEP);
    const ip = "10.74.0.1";
    for (let i = 0; i < limits.maxFailuresPerEmail; i++) {
      expect(await verifySecondFactor(t.db, { userId: admin.id, code: "000000", ip }, limits, key())).toMatchObject({ ok: false });
    }
    expect(await verifySecondFactor(t.db, { userId: admin.id, code: currentCode(admin.secret), ip }, limits, key())).toEqual({
      ok: false,
      reason: "rate_limited",
    });
  });

  it("reset (with a reason) removes the factor, ends the admin's sessions and is audited", async () => {
    const admin = await enrolledAdmin();
    const other = await enrolledAdmin();
    const [before] = await t.db.select({ sv: users.sessionVersion }).from(users).where(eq(users.id, admin.id));
    expect(await resetSecondFactor(t.db, { userId: admin.id, actor: other.id, ip: "10.75.0.1", reason: "lost phone" })).toBe(true);
    expect(await secondFactorState(t.db, admin.id)).toBe("none");
    expect(await recoveryCodesLeft(t.db, admin.id)).toBe(0);
    expect(await sessionUserFromToken(t.db, { id: admin.id, sv: before!.sv, tf: true })).toBeNull();
    const audits = await auditOf(admin.id, "admin.second_factor_reset");
    expect(audits.map((a) => [a.actorUserId, a.reason, a.ip, a.before, a.after])).toEqual([
      [other.id, "lost phone", "10.75.0.1", { enrolled: true }, { enrolled: false }],
    ]);
    expect(await resetSecondFactor(t.db, { userId: admin.id, actor: other.id, ip: "10.75.0.1", reason: "again" })).toBe(false);
    expect(await auditOf(admin.id, "admin.second_factor_reset")).toHaveLength(1);
  });
});

describe("the session token", () => {
  it("is marked past the second factor only with the server's proof, never by a client updating its session", async () => {
    const admin = await enrolledAdmin();
    const b = authBrowser(t.db);
    await b.signIn(admin.email, "admin-password-1");
    const signedIn = await b.user();
    expect([signedIn?.isAdmin, signedIn?.adminFactor]).toEqual([false, "verify"]);

    const token = await b.token();
    await b.update({ tf: true });
    await b.update({ tf: "forged" });
    await b.update({ tf: secondFactorProof(env().AUTH_SECRET, admin.id, (token.sv as number) + 1) });
    expect((await b.user())?.isAdmin).toBe(false);

    await b.update({ tf: secondFactorProof(env().AUTH_SECRET, admin.id, token.sv as number) });
    expect((await b.user())?.isAdmin).toBe(true);

    // A new sign-in starts without it.
    await b.signIn(admin.email, "admin-password-1");
    expect((await b.user())?.isAdmin).toBe(false);
    expect(checkSecondFactorProof(env().AUTH_SECRET, admin.id, 0, secondFactorProof(env().AUTH_SECRET, "usr_other", 0))).toBe(false);
  });
});
