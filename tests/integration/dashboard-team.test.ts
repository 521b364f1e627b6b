import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSessionUser } from "@/server/auth/session-user";
import { auditLog, invitations, jobEvents, memberships, users } from "@/server/db/schema";
import type { Services } from "@/server/boot/services";
import { deliverEmail, type EmailRequest } from "@/server/email";
import { acceptInvitation, createInvitation, lookUpInvitation } from "@/server/team/invitations";
import { createCaller } from "@/server/trpc/root";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { codeOf } from "../support/callers";

// Issue 16, team: invitations by email (signed, single-use, expiring links), accepting as a new
// person or as an existing account of another partner (one user, two memberships, a workspace
// switch), roles, the last owner kept even under concurrent demotions, tenant isolation.

const APP = "http://app.steller.test";
let t: TestDatabase;
let services: Services;
let partnerA: string;
let partnerB: string;
let ownerA: { id: string; email: string };
let ownerB: { id: string; email: string };

async function callerFor(userId: string, workspace?: string) {
  return createCaller({ db: t.db, user: await loadSessionUser(t.db, userId, undefined, workspace), headers: new Headers() });
}

/** Delivers every pending email request to the dev mailbox (what the email-send function does) and returns the mailbox. */
async function deliverPendingEmails() {
  const events = await t.db.select().from(jobEvents).where(eq(jobEvents.name, "email/requested"));
  for (const e of events) await deliverEmail(services.email, e.id, e.data as unknown as EmailRequest);
  return t.db.execute<{ to: string; kind: string; text: string; subject: string }>(sql`select "to", kind, text, subject from emails order by id desc`);
}

/** The accept link of the newest invitation email to `to`, as its token. */
async function inviteTokenFromMailbox(to: string): Promise<string> {
  const mail = await deliverPendingEmails();
  const email = mail.find((m) => m.to === to && m.kind === "team.invite");
  expect(email, `an invitation email to ${to}`).toBeDefined();
  const url = /Accept the invitation: (\S+)/.exec(email!.text)?.[1];
  expect(url).toMatch(new RegExp(`^${APP}/invite/[A-Za-z0-9_-]{43}$`));
  return decodeURIComponent(url!.slice(`${APP}/invite/`.length));
}

beforeAll(async () => {
  t = await createTestDatabase();
  services = bindAppDatabase(t, {
    email: { secret: process.env.AUTH_SECRET ?? "x".repeat(32), appUrl: APP, smtpUrl: undefined, from: "Steller <no-reply@steller.test>" },
  });
  partnerA = await makePartner(t.db, "Alpha Rewards");
  partnerB = await makePartner(t.db, "Beta Perks");
  ownerA = await makeUser(t.db, { partnerId: partnerA, role: "owner" });
  ownerB = await makeUser(t.db, { partnerId: partnerB, role: "owner" });
});
afterAll(async () => {
  await t?.close();
});

describe("invitations", () => {
  it("invite → email with a link → a new person accepts: one user, verified, member with the role; the link is single-use; audited", async () => {
    const owner = await callerFor(ownerA.id);
    const inv = await owner.team.invite({ email: "New.Dev@Example.test", role: "developer" });
    expect(inv).toMatchObject({ email: "new.dev@example.test", role: "developer", state: "pending" });
    expect((await owner.team.invitations()).map((i) => i.id)).toEqual([inv.id]);
    const token = await inviteTokenFromMailbox("new.dev@example.test");
    // Only a hash of the token is stored.
    const [row] = await t.db.select().from(invitations).where(eq(invitations.id, inv.id));
    expect(row!.tokenHash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBeGreaterThan(6.9 * 24 * 3600_000);

    expect(await lookUpInvitation(t.db, token)).toMatchObject({ state: "pending", partnerName: "Alpha Rewards", role: "developer", accountExists: false });
    const accepted = await acceptInvitation(t.db, { token, name: "Nia Dev", password: "a-long-enough-password" });
    expect(accepted).toMatchObject({ partnerId: partnerA, role: "developer", newUser: true });
    const [u] = await t.db.select().from(users).where(eq(users.id, accepted.userId));
    expect(u).toMatchObject({ email: "new.dev@example.test", name: "Nia Dev" });
    expect(u!.emailVerifiedAt).not.toBeNull();
    const session = await loadSessionUser(t.db, accepted.userId);
    expect(session?.membership).toMatchObject({ partnerId: partnerA, role: "developer" });

    // Used: refused, and the page says so.
    expect(await lookUpInvitation(t.db, token)).toMatchObject({ state: "accepted" });
    await expect(acceptInvitation(t.db, { token, name: "Again", password: "a-long-enough-password" })).rejects.toMatchObject({
      code: "invitation_unavailable",
      message: "This invitation was already used.",
    });
    expect(await owner.team.invitations()).toEqual([]);
    const members = await owner.team.members();
    expect(members.find((m) => m.email === "new.dev@example.test")).toMatchObject({ role: "developer", name: "Nia Dev" });
    const actions = (await t.db.select({ a: auditLog.action }).from(auditLog).where(eq(auditLog.partnerId, partnerA))).map((r) => r.a);
    expect(actions).toEqual(expect.arrayContaining(["team.invitation_created", "team.invitation_accepted"]));
  });

  it("an existing user of another partner accepts: a membership added (never a second user); the switcher lists both and data follows the active workspace", async () => {
    const owner = await callerFor(ownerA.id);
    await owner.team.invite({ email: ownerB.email, role: "finance" });
    const token = await inviteTokenFromMailbox(ownerB.email);
    expect(await lookUpInvitation(t.db, token)).toMatchObject({ state: "pending", accountExists: true });
    // Not as a new person (the address has an account), nor as someone else's account.
    await expect(acceptInvitation(t.db, { token, name: "Dup", password: "a-long-enough-password" })).rejects.toMatchObject({ code: "email_taken" });
    await expect(acceptInvitation(t.db, { token, userId: ownerA.id })).rejects.toMatchObject({ code: "invitation_unavailable" });
    const accepted = await acceptInvitation(t.db, { token, userId: ownerB.id });
    expect(accepted).toMatchObject({ userId: ownerB.id, partnerId: partnerA, role: "finance", newUser: false });
    const [{ n }] = (await t.db.execute<{ n: number }>(
      sql`select count(*)::int n from users where lower(email) = ${ownerB.email.toLowerCase()}`,
    )) as unknown as [{ n: number }];
    expect(n).toBe(1);

    // Both workspaces, oldest first; the cookie picks the active one; an unknown one falls back.
    const me = await (await callerFor(ownerB.id)).team.me();
    expect(me.workspaces.map((w) => [w.partnerName, w.role])).toEqual([
      ["Beta Perks", "owner"],
      ["Alpha Rewards", "finance"],
    ]);
    expect(me.membership?.partnerId).toBe(partnerB);
    const inA = await callerFor(ownerB.id, partnerA);
    expect((await inA.team.me()).membership).toMatchObject({ partnerId: partnerA, role: "finance" });
    expect((await inA.team.members()).map((m) => m.email)).toContain(ownerA.email);
    expect(await codeOf(inA.team.invite({ email: "x@example.test", role: "developer" }))).toBe("FORBIDDEN"); // finance there
    const inB = await callerFor(ownerB.id, partnerB);
    expect((await inB.team.members()).map((m) => m.email)).not.toContain(ownerA.email);
    expect((await (await callerFor(ownerB.id, "ptn_not_mine")).team.me()).membership?.partnerId).toBe(partnerB);
  });

  it("expired, revoked and replaced (resent) links are refused", async () => {
    const owner = await callerFor(ownerA.id);
    // Expired: created 8 days ago.
    const old = await createInvitation(t.db, {
      partnerId: partnerA,
      email: "late@example.test",
      role: "developer",
      actor: ownerA.id,
      appUrl: APP,
      now: new Date(Date.now() - 8 * 24 * 3600_000),
    });
    expect(await lookUpInvitation(t.db, old.token)).toMatchObject({ state: "expired" });
    await expect(acceptInvitation(t.db, { token: old.token, name: "Late", password: "a-long-enough-password" })).rejects.toMatchObject({
      code: "invitation_unavailable",
      message: "This invitation has expired: ask for a new one.",
    });
    expect((await owner.team.invitations()).find((i) => i.id === old.invitation.id)?.state).toBe("expired");
    // Resend: a new link, the old one stops working; the new one works.
    await owner.team.resendInvitation({ invitationId: old.invitation.id });
    const fresh = await inviteTokenFromMailbox("late@example.test");
    expect(fresh).not.toBe(old.token);
    expect(await lookUpInvitation(t.db, old.token)).toEqual({ state: "invalid" });
    expect(await lookUpInvitation(t.db, fresh)).toMatchObject({ state: "pending" });

    // Revoked.
    const inv = await owner.team.invite({ email: "revoked@example.test", role: "finance" });
    const token = await inviteTokenFromMailbox("revoked@example.test");
    await owner.team.revokeInvitation({ invitationId: inv.id });
    expect(await lookUpInvitation(t.db, token)).toMatchObject({ state: "revoked" });
    await expect(acceptInvitation(t.db, { token, name: "Rev", password: "a-long-enough-password" })).rejects.toMatchObject({ code: "invitation_unavailable" });
    expect(await lookUpInvitation(t.db, "not-a-token")).toEqual({ state: "invalid" });

    // A member, or an address with an open invitation, cannot be invited again.
    expect(await codeOf(owner.team.invite({ email: ownerA.email, role: "developer" }))).toBe("CONFLICT");
    expect(await codeOf(owner.team.invite({ email: "LATE@example.test", role: "developer" }))).toBe("CONFLICT");
  });
});

describe("roles and the last owner", () => {
  it("only owners manage the team; finance sees the list; developers see their own profile only", async () => {
    const dev = await makeUser(t.db, { partnerId: partnerA, role: "developer" });
    const fin = await makeUser(t.db, { partnerId: partnerA, role: "finance" });
    const d = await callerFor(dev.id);
    const f = await callerFor(fin.id);
    expect(await codeOf(d.team.members())).toBe("FORBIDDEN");
    expect((await d.team.me()).email).toBe(dev.email);
    expect(await codeOf(f.team.members())).toBe("OK");
    expect(await codeOf(f.team.invitations())).toBe("FORBIDDEN");
    const target = (await f.team.members()).find((m) => m.userId === dev.id)!;
    for (const c of [d, f]) {
      expect(await codeOf(c.team.invite({ email: "nope@example.test", role: "developer" }))).toBe("FORBIDDEN");
      expect(await codeOf(c.team.changeRole({ membershipId: target.membershipId, role: "owner" }))).toBe("FORBIDDEN");
      expect(await codeOf(c.team.remove({ membershipId: target.membershipId }))).toBe("FORBIDDEN");
    }
  });

  it("the last owner can be neither demoted nor removed; a removed member loses access at once; changes are audited", async () => {
    const p = await makePartner(t.db, "Solo Ltd");
    const solo = await makeUser(t.db, { partnerId: p, role: "owner" });
    const member = await makeUser(t.db, { partnerId: p, role: "developer" });
    const c = await callerFor(solo.id);
    const rows = await c.team.members();
    const soloRow = rows.find((m) => m.userId === solo.id)!;
    const memberRow = rows.find((m) => m.userId === member.id)!;
    expect(await codeOf(c.team.changeRole({ membershipId: soloRow.membershipId, role: "developer" }))).toBe("CONFLICT");
    expect(await codeOf(c.team.remove({ membershipId: soloRow.membershipId }))).toBe("CONFLICT");
    // With a second owner, the first may step down.
    await c.team.changeRole({ membershipId: memberRow.membershipId, role: "owner" });
    await c.team.changeRole({ membershipId: soloRow.membershipId, role: "finance" });
    const m = await callerFor(member.id);
    expect(await codeOf(m.team.remove({ membershipId: memberRow.membershipId }))).toBe("CONFLICT"); // now the only owner
    expect(await loadSessionUser(t.db, solo.id)).not.toBeNull();
    await m.team.remove({ membershipId: soloRow.membershipId });
    expect(await loadSessionUser(t.db, solo.id)).toBeNull(); // no other workspace: refused at the next request
    const actions = (await t.db.select({ a: auditLog.action }).from(auditLog).where(eq(auditLog.partnerId, p))).map((r) => r.a);
    expect(actions.filter((a) => a === "team.role_changed")).toHaveLength(2);
    expect(actions).toContain("team.member_removed");
  });

  it("two owners demoting (or removing) each other at the same time leave one owner", async () => {
    for (let round = 0; round < 4; round++) {
      const p = await makePartner(t.db, `Race ${round}`);
      const a = await makeUser(t.db, { partnerId: p, role: "owner" });
      const b = await makeUser(t.db, { partnerId: p, role: "owner" });
      const [ma] = await t.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.partnerId, p), eq(memberships.userId, a.id)));
      const [mb] = await t.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.partnerId, p), eq(memberships.userId, b.id)));
      const [ca, cb] = await Promise.all([callerFor(a.id), callerFor(b.id)]);
      const results = await Promise.all(
        round % 2 === 0
          ? [codeOf(ca.team.changeRole({ membershipId: mb!.id, role: "developer" })), codeOf(cb.team.changeRole({ membershipId: ma!.id, role: "developer" }))]
          : [codeOf(ca.team.remove({ membershipId: mb!.id })), codeOf(cb.team.remove({ membershipId: ma!.id }))],
      );
      expect(results.sort()).toEqual(["CONFLICT", "OK"]);
      const owners = await t.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.partnerId, p), eq(memberships.role, "owner")));
      expect(owners).toHaveLength(1);
    }
  });

  it("tenant isolation: partner B's owner gets NOT_FOUND for A's members and invitations", async () => {
    const a = await callerFor(ownerA.id);
    const b = await callerFor(ownerB.id, partnerB);
    const memberOfA = (await a.team.members()).find((m) => m.userId === ownerA.id)!;
    const inv = await a.team.invite({ email: "isolated@example.test", role: "developer" });
    expect(await codeOf(b.team.changeRole({ membershipId: memberOfA.membershipId, role: "developer" }))).toBe("NOT_FOUND");
    expect(await codeOf(b.team.remove({ membershipId: memberOfA.membershipId }))).toBe("NOT_FOUND");
    expect(await codeOf(b.team.resendInvitation({ invitationId: inv.id }))).toBe("NOT_FOUND");
    expect(await codeOf(b.team.revokeInvitation({ invitationId: inv.id }))).toBe("NOT_FOUND");
    expect((await b.team.invitations()).map((i) => i.id)).not.toContain(inv.id);
    expect((await a.team.invitations()).find((i) => i.id === inv.id)?.state).toBe("pending");
  });
});
