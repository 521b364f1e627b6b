import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAuditLog } from "@/app/api/admin/audit-log/audit-log";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { sha256Hex } from "@/lib/crypto";
import { recordAudit } from "@/server/audit";
import type { SessionUser } from "@/server/auth/session-user";
import { requestTopup } from "@/server/ledger";
import { createCaller } from "@/server/trpc/root";
import { codeOf, sessionCaller, sessionUserOf } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

/**
 * The audit log (issue 17 item 8): the admin view's filters and cursor pages, the detail with
 * before/after, reason and IP, the streamed CSV export and GET /api/admin/audit-log (admin
 * session with the second factor, or an admin token), admin tokens hashed at rest, shown once and
 * audited; partner users get FORBIDDEN.
 */

let t: TestDatabase;
let admin: { id: string; email: string };
let owner: { id: string; email: string };
let partnerA: string;
let partnerB: string;

beforeAll(async () => {
  t = await createTestDatabase();
  partnerA = await makePartner(t.db, "Alpha Gifts");
  partnerB = await makePartner(t.db, "Beta Rewards");
  admin = await makeUser(t.db, { admin: true });
  owner = await makeUser(t.db, { partnerId: partnerA, role: "owner" });
});
afterAll(async () => t?.close());

/** Audit entries with known fields at known times (the seed of the filter checks). */
async function seed() {
  const entries = [
    {
      actor: admin.id,
      partnerId: partnerA,
      action: "wallet.credit",
      targetType: "partner",
      targetId: partnerA,
      at: "2026-10-01T10:00:00Z",
      reason: "bank transfer 1",
    },
    { actor: admin.id, partnerId: partnerA, action: "wallet.adjustment", targetType: "partner", targetId: partnerA, at: "2026-10-02T10:00:00Z", reason: "fix" },
    {
      actor: admin.id,
      partnerId: partnerB,
      action: "wallet.credit",
      targetType: "partner",
      targetId: partnerB,
      at: "2026-10-03T10:00:00Z",
      reason: "=cmd|calc",
    },
    { actor: owner.id, partnerId: partnerA, action: "key.create", targetType: "api_key", targetId: "key_x1", at: "2026-10-03T23:59:00Z" },
    { actor: "system:orders", partnerId: partnerB, action: "order.refund", targetType: "order", targetId: "ord_x1", at: "2026-10-04T08:00:00Z" },
    { actor: "key_abc", partnerId: partnerB, action: "order.create", targetType: "order", targetId: "ord_x2", at: "2026-10-05T08:00:00Z" },
  ];
  for (const e of entries) {
    await recordAudit(t.db, {
      actor: e.actor,
      partnerId: e.partnerId,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      reason: e.reason ?? null,
      before: { balance: "10.0000" },
      after: { balance: "60.0000" },
      ip: "203.0.113.9",
    });
    // The entry just written (ids sort by time): moved to its known time.
    await t.sql`update audit_log set at = ${e.at}::timestamptz where id = (select max(id) from audit_log)`;
  }
}

const asAdmin = () => sessionCaller(t.db, admin.id);

describe("admin.audit procedures", () => {
  it("refuse partner users and an admin without the second factor", async () => {
    for (const caller of [await sessionCaller(t.db, owner.id), await sessionCaller(t.db, admin.id, { secondFactor: false })]) {
      expect(await codeOf(caller.admin.audit.list({}))).toBe("FORBIDDEN");
      expect(await codeOf(caller.admin.audit.get({ id: "aud_x" }))).toBe("FORBIDDEN");
      expect(await codeOf(caller.admin.audit.actions())).toBe("FORBIDDEN");
      expect(await codeOf(caller.admin.audit.tokens.list())).toBe("FORBIDDEN");
      expect(await codeOf(caller.admin.audit.tokens.issue({ name: "mine" }))).toBe("FORBIDDEN");
      expect(await codeOf(caller.admin.audit.tokens.revoke({ id: "atk_x" }))).toBe("FORBIDDEN");
    }
    expect(await codeOf((await sessionCaller(t.db, null)).admin.audit.list({}))).toBe("UNAUTHORIZED");
    const [tokens] = await t.sql<{ n: number }[]>`select count(*)::int as n from admin_api_tokens`;
    expect(tokens!.n).toBe(0);
  });

  it("filters by actor, partner, action (or its family), target and date range; newest first", async () => {
    await seed();
    const api = await asAdmin();
    const actions = async (f: Parameters<typeof api.admin.audit.list>[0]) => (await api.admin.audit.list(f)).data.map((e) => e.action);
    expect(await actions({})).toEqual(["order.create", "order.refund", "key.create", "wallet.credit", "wallet.adjustment", "wallet.credit"]);
    expect(await actions({ actor: admin.id })).toEqual(["wallet.credit", "wallet.adjustment", "wallet.credit"]);
    expect(await actions({ actor: owner.email.toUpperCase() })).toEqual(["key.create"]);
    expect(await actions({ actor: "system:orders" })).toEqual(["order.refund"]);
    expect(await actions({ actor: "key_abc" })).toEqual(["order.create"]);
    expect(await actions({ partnerId: partnerA })).toEqual(["key.create", "wallet.adjustment", "wallet.credit"]);
    expect(await actions({ action: "wallet" })).toEqual(["wallet.credit", "wallet.adjustment", "wallet.credit"]);
    expect(await actions({ action: "wallet.credit", partnerId: partnerB })).toEqual(["wallet.credit"]);
    expect(await actions({ action: "wal" })).toEqual([]); // a family is a whole segment, not a prefix
    expect(await actions({ targetType: "order" })).toEqual(["order.create", "order.refund"]);
    expect(await actions({ targetId: "ord_x1" })).toEqual(["order.refund"]);
    // Whole UTC days, `to` included (23:59 on the 3rd is in).
    expect(await actions({ from: "2026-10-02", to: "2026-10-03" })).toEqual(["key.create", "wallet.credit", "wallet.adjustment"]);
    expect(await actions({ from: "2026-10-03T12:00:00Z" })).toEqual(["order.create", "order.refund", "key.create"]);
    const first = (await api.admin.audit.list({ actor: owner.id })).data[0]!;
    expect(first).toMatchObject({ actor: owner.id, actorType: "user", actorEmail: owner.email, partnerName: "Alpha Gifts" });
    expect(await api.admin.audit.actions()).toEqual(["key.create", "order.create", "order.refund", "wallet.adjustment", "wallet.credit"]);
  });

  it("pages with a cursor: every entry once, in order, and the last page says so", async () => {
    const api = await asAdmin();
    const all = (await api.admin.audit.list({ limit: 100 })).data.map((e) => e.id);
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await api.admin.audit.list({ limit: 4, after });
      seen.push(...page.data.map((e) => e.id));
      if (!page.hasMore) {
        expect(page.nextCursor).toBeNull();
        break;
      }
      after = page.nextCursor!;
    }
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(4);
  });

  it("shows one entry in full: before and after, reason, IP; an unknown id is NOT_FOUND", async () => {
    const api = await asAdmin();
    const [row] = (await api.admin.audit.list({ action: "wallet.adjustment" })).data;
    const entry = await api.admin.audit.get({ id: row!.id });
    expect(entry).toMatchObject({ reason: "fix", ip: "203.0.113.9", before: { balance: "10.0000" }, after: { balance: "60.0000" }, partnerId: partnerA });
    expect(await codeOf(api.admin.audit.get({ id: "aud_unknown" }))).toBe("NOT_FOUND");
  });
});

describe("admin API tokens", () => {
  it("are shown once, stored as their sha-256 only, audited when issued and revoked (with the IP); a failed revoke writes nothing", async () => {
    // The caller as the HTTP route builds it, with the client IP our server computed.
    const api = createCaller({ db: t.db, user: await sessionUserOf(t.db, admin.id), headers: new Headers({ [CLIENT_IP_HEADER]: "198.51.100.7" }) });
    const { token, secret } = await api.admin.audit.tokens.issue({ name: "SIEM export" });
    expect(secret).toMatch(/^stlr_admin_[A-Za-z0-9_-]{43}$/);
    const [stored] = await t.sql<{ token_hash: string }[]>`select token_hash from admin_api_tokens where id = ${token.id}`;
    expect(stored!.token_hash).toBe(sha256Hex(secret));
    const everything = JSON.stringify(await t.sql`select * from admin_api_tokens`) + JSON.stringify(await t.sql`select * from audit_log`);
    expect(everything).not.toContain(secret);
    const listed = await api.admin.audit.tokens.list();
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed.map((k) => k.id)).toContain(token.id);

    const entries = async () => (await api.admin.audit.list({ targetId: token.id })).data;
    expect((await entries()).map((e) => [e.action, e.actor, e.ip])).toEqual([["admin_token.issue", admin.id, "198.51.100.7"]]);

    expect(await codeOf(api.admin.audit.tokens.revoke({ id: "atk_unknown", reason: "typo" }))).toBe("NOT_FOUND");
    const [none] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log where target_id = 'atk_unknown'`;
    expect(none!.n).toBe(0);

    const revoked = await api.admin.audit.tokens.revoke({ id: token.id, reason: "rotated" });
    expect(revoked.revokedAt).not.toBeNull();
    await api.admin.audit.tokens.revoke({ id: token.id, reason: "twice" }); // nothing changes: nothing recorded
    const after = await entries();
    expect(after.map((e) => e.action)).toEqual(["admin_token.revoke", "admin_token.issue"]);
    expect(after[0]).toMatchObject({ reason: "rotated", ip: "198.51.100.7", before: { revokedAt: null } });
  });
});

describe("GET /api/admin/audit-log", () => {
  const get = (query: Record<string, string>, o: { token?: string; user?: SessionUser | null } = {}) => {
    const url = new URL("http://localhost/api/admin/audit-log");
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers = new Headers(o.token ? { authorization: `Bearer ${o.token}` } : {});
    return adminAuditLog(new Request(url, { headers }), t.db, async () => o.user ?? null);
  };

  it("answers an admin session that passed the second factor; refuses no session (401), partner users and an admin without the factor (403)", async () => {
    const none = await get({});
    expect(none.status).toBe(401);
    expect((await none.json()).error).toMatchObject({ type: "authentication_error", code: "not_signed_in" });
    for (const user of [await sessionUserOf(t.db, owner.id), await sessionUserOf(t.db, admin.id, { secondFactor: false })]) {
      const res = await get({}, { user });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toMatchObject({ type: "permission_error", code: "admin_only" });
    }
    const ok = await get({ partnerId: partnerA, limit: "2" }, { user: await sessionUserOf(t.db, admin.id) });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.data.map((e: { action: string }) => e.action)).toEqual(["key.create", "wallet.adjustment"]);
    expect(body).toMatchObject({ hasMore: true, nextCursor: body.data[1].id });
    const next = await (await get({ partnerId: partnerA, limit: "2", startingAfter: body.nextCursor }, { user: await sessionUserOf(t.db, admin.id) })).json();
    expect(next.data.map((e: { action: string }) => e.action)).toEqual(["wallet.credit"]);
    expect(next).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it("answers an admin token (Bearer), and stops at once when it is revoked; a malformed or unknown one is 401", async () => {
    const api = await asAdmin();
    const { token, secret } = await api.admin.audit.tokens.issue({ name: "script" });
    const ok = await get({ action: "order" }, { token: secret });
    expect(ok.status).toBe(200);
    expect((await ok.json()).data.map((e: { action: string }) => e.action)).toEqual(["order.create", "order.refund"]);
    const [used] = await t.sql<{ last_used_at: Date | null }[]>`select last_used_at from admin_api_tokens where id = ${token.id}`;
    expect(used!.last_used_at).not.toBeNull();
    for (const bad of ["stlr_admin_short", `stlr_admin_${"A".repeat(43)}`]) {
      const res = await get({}, { token: bad });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("invalid_api_key");
    }
    await api.admin.audit.tokens.revoke({ id: token.id });
    expect((await get({}, { token: secret })).status).toBe(401);
    // A bearer that is not valid is refused even with an admin session behind it.
    expect((await get({}, { token: secret, user: await sessionUserOf(t.db, admin.id) })).status).toBe(401);
  });

  it("refuses unknown or invalid parameters in the API's error envelope", async () => {
    const user = await sessionUserOf(t.db, admin.id);
    for (const q of [{ colour: "red" }, { limit: "1000" }, { from: "yesterday" }] as Record<string, string>[]) {
      const res = await get(q, { user });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter" });
    }
  });

  it("streams the CSV export with the same filters: header, one line per entry, formula-safe cells", async () => {
    const user = await sessionUserOf(t.db, admin.id);
    const res = await get({ format: "csv", action: "wallet" }, { user });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="steller-audit-log-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await res.text()).split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("at,id,actor_type,actor,actor_email,partner_id,partner_name,action,target_type,target_id,reason,ip,before,after,metadata");
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.split(",")[7])).toEqual(["wallet.credit", "wallet.adjustment", "wallet.credit"]);
    expect(lines[1]).toContain("'=cmd|calc"); // a spreadsheet would have run it
    expect(lines[1]).toContain('"{""balance"":""10.0000""}"');
  });

  it("exports more than one page of entries in full", async () => {
    // 1,203 entries (more than two pages of the export), written as recordAudit writes a system actor's.
    await t.sql`insert into audit_log (id, actor_type, action, target_type, target_id, metadata)
      select 'aud_bulk' || lpad(i::text, 5, '0'), 'system', 'bulk.test', 'thing', 't' || i, jsonb_build_object('actor', 'system:bulk', 'i', i)
      from generate_series(1, 1203) i`;
    const res = await get({ format: "csv", actor: "system:bulk" }, { user: await sessionUserOf(t.db, admin.id) });
    const lines = (await res.text()).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(1204);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[9])).size).toBe(1203);
  });
});

describe("money actions in the audit view", () => {
  it("a credit, a top-up approval and a top-up rejection each show exactly one entry, with actor, reason and before/after", async () => {
    const partnerId = await makePartner(t.db, "Money Co");
    const api = await asAdmin();
    await api.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "500.00", reason: "wire 123" });
    const approve = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "20.00", requestedBy: owner.id });
    const reject = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "30.00", requestedBy: owner.id });
    await api.admin.wallets.approveTopup({ requestId: approve.id, reason: "received" });
    await api.admin.wallets.rejectTopup({ requestId: reject.id, reason: "no proof of payment" });
    // A failing money action (below the minimum reason) writes nothing.
    expect(await codeOf(api.admin.wallets.creditWallet({ partnerId, environment: "live", currency: "USD", amount: "1.00", reason: "" }))).toBe("BAD_REQUEST");
    const entries = (await api.admin.audit.list({ partnerId })).data;
    expect(entries.map((e) => e.actor)).toEqual([admin.id, admin.id, admin.id]);
    expect(entries.filter((e) => e.targetId === approve.id)).toHaveLength(1);
    expect(entries.filter((e) => e.targetId === reject.id)).toHaveLength(1);
    expect(entries.filter((e) => e.targetId !== approve.id && e.targetId !== reject.id)).toHaveLength(1);
    expect(entries.find((e) => e.targetId === reject.id)!.reason).toBe("no proof of payment");
  });
});
