import { TRPCError } from "@trpc/server";
import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attemptLogin } from "@/server/auth/login";
import { changePassword, endSessions, sessionProof } from "@/server/auth/sessions";
import { loginAttempts, users } from "@/server/db/schema";
import { createCaller } from "@/server/trpc/root";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { bindAppDatabase } from "../support/app";
import { authBrowser } from "../support/auth-browser";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
});
afterAll(async () => t?.close());

const limits = { maxFailuresPerEmail: 5, maxFailuresPerIp: 1_000, windowMinutes: 15 };

describe("sign-in limiter", () => {
  it("lets at most the limit of 50 concurrent wrong passwords for one email reach the password check", async () => {
    const u = await makeUser(t.db, { password: "the-right-password" });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => attemptLogin(t.db, { email: u.email, password: `guess-${i}`, ip: `10.50.${i >> 8}.${i & 255}` }, limits)),
    );
    const checked = results.filter((r) => !r.ok && r.reason === "invalid_credentials").length;
    const limited = results.filter((r) => !r.ok && r.reason === "rate_limited").length;
    expect({ checked, limited }).toEqual({ checked: 5, limited: 45 });
    const rows = await t.db.select().from(loginAttempts).where(eq(loginAttempts.email, u.email));
    expect(rows).toHaveLength(5);
    // …and the right password is refused too while the email is locked.
    expect(await attemptLogin(t.db, { email: u.email, password: "the-right-password", ip: "10.51.0.1" }, limits)).toMatchObject({
      ok: false,
      reason: "rate_limited",
    });
  });

  it("does not count a successful sign-in as a failure", async () => {
    const u = await makeUser(t.db, { password: "the-right-password" });
    for (let i = 0; i < 8; i++) expect((await attemptLogin(t.db, { email: u.email, password: "the-right-password", ip: "10.52.0.1" }, limits)).ok).toBe(true);
  });
});

describe("password hashing", () => {
  it("stores Argon2id, accepts a legacy bcrypt hash and upgrades it at the next sign-in", async () => {
    const fresh = await makeUser(t.db, { password: "argon-password" });
    const [row] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, fresh.id));
    expect(row!.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const legacy = await makeUser(t.db, { password: "placeholder" });
    const bcryptHash = await bcrypt.hash("legacy-password", 10);
    await t.db.update(users).set({ passwordHash: bcryptHash }).where(eq(users.id, legacy.id));
    expect(await attemptLogin(t.db, { email: legacy.email, password: "wrong", ip: "10.53.0.1" }, limits)).toMatchObject({
      ok: false,
      reason: "invalid_credentials",
    });
    const [stillBcrypt] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, legacy.id));
    expect(stillBcrypt!.hash).toBe(bcryptHash);

    expect(await attemptLogin(t.db, { email: legacy.email, password: "legacy-password", ip: "10.53.0.1" }, limits)).toMatchObject({
      ok: true,
      userId: legacy.id,
    });
    const [upgraded] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, legacy.id));
    expect(upgraded!.hash).toMatch(/^\$argon2id\$/);
    expect(await attemptLogin(t.db, { email: legacy.email, password: "legacy-password", ip: "10.53.0.1" }, limits)).toMatchObject({ ok: true });
    expect(await attemptLogin(t.db, { email: legacy.email, password: "wrong-again", ip: "10.53.0.1" }, limits)).toMatchObject({ ok: false });
  });
});

const browser = () => authBrowser(t.db);

describe("session versions", () => {
  it("signing out ends the user's other sessions, at their next request", async () => {
    const partnerId = await makePartner(t.db, "Sessions Ltd");
    const u = await makeUser(t.db, { partnerId, password: "session-password" });
    const laptop = browser();
    const phone = browser();
    await laptop.signIn(u.email, "session-password");
    await phone.signIn(u.email, "session-password");
    expect((await laptop.user())?.id).toBe(u.id);
    expect((await phone.user())?.id).toBe(u.id);

    await laptop.signOut();
    expect(await laptop.user()).toBeNull();
    expect(await phone.user()).toBeNull(); // the JWT is still unexpired: the version ends it

    // A stale session cannot push the version on (and so cannot sign out a newer session).
    const tablet = browser();
    await tablet.signIn(u.email, "session-password");
    expect(await endSessions(t.db, u.id, 0)).toBeNull();
    expect((await tablet.user())?.id).toBe(u.id);
  });

  it("changing the password ends the other sessions; this one moves on only with the server's proof", async () => {
    const partnerId = await makePartner(t.db, "Passwords Ltd");
    const u = await makeUser(t.db, { partnerId, password: "old-password-1" });
    const here = browser();
    const there = browser();
    await here.signIn(u.email, "old-password-1");
    await there.signIn(u.email, "old-password-1");

    const moved: number[] = [];
    const caller = createCaller({
      db: t.db,
      user: await here.user(),
      headers: new Headers({ [CLIENT_IP_HEADER]: "10.61.0.1" }),
      moveSession: async (userId, sv) => {
        expect(userId).toBe(u.id);
        moved.push(sv);
        await here.update({ sv, proof: sessionProof(process.env.AUTH_SECRET!, userId, sv) });
      },
    });
    const wrong = await caller.me.changePassword({ currentPassword: "not-it", newPassword: "new-password-2" }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(TRPCError);
    expect((wrong as TRPCError).code).toBe("BAD_REQUEST");
    expect(await caller.me.changePassword({ currentPassword: "old-password-1", newPassword: "new-password-2" })).toEqual({
      changed: true,
      otherSessionsEnded: true,
    });
    expect(moved).toHaveLength(1);

    expect((await here.user())?.id).toBe(u.id);
    expect(await there.user()).toBeNull();
    // The ended session asks next-auth to move it too: without the proof nothing changes.
    await there.update({ sv: moved[0] });
    await there.update({ sv: moved[0], proof: "forged" });
    expect(await there.user()).toBeNull();

    expect(await attemptLogin(t.db, { email: u.email, password: "old-password-1", ip: "10.61.0.2" }, limits)).toMatchObject({ ok: false });
    expect(await attemptLogin(t.db, { email: u.email, password: "new-password-2", ip: "10.61.0.2" }, limits)).toMatchObject({
      ok: true,
      sessionVersion: moved[0],
    });
  });

  it("refuses a weak new password and counts wrong current passwords against the limiter", async () => {
    const u = await makeUser(t.db, { password: "limit-password-1" });
    const tight = { ...limits, maxFailuresPerEmail: 2 };
    const input = (currentPassword: string, newPassword = "limit-password-2") => ({ userId: u.id, currentPassword, newPassword, ip: "10.62.0.1" });
    await expect(changePassword(t.db, input("limit-password-1", "short"), tight)).rejects.toMatchObject({ code: "weak_password" });
    await expect(changePassword(t.db, input("guess-1"), tight)).rejects.toMatchObject({ code: "wrong_password" });
    await expect(changePassword(t.db, input("guess-2"), tight)).rejects.toMatchObject({ code: "wrong_password" });
    await expect(changePassword(t.db, input("limit-password-1"), tight)).rejects.toMatchObject({ code: "rate_limited" });
  });
});
