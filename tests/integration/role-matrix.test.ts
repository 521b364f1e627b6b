import fs from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/server/auth/password";
import type { MemberRole } from "@/server/auth/session-user";
import { invitations, ledgerAccounts, ledgerEntries, memberships, orders, requestLogs, users, webhookDeliveries } from "@/server/db/schema";
import { deliverWebhook } from "@/server/jobs/functions/webhooks";
import { orderEngineFunctions } from "@/server/jobs/functions/orders";
import { requestTopup } from "@/server/ledger";
import { newId } from "@/lib/ids";
import { createApiKey } from "@/server/keys";
import { createOrder } from "@/server/orders/create";
import { appRouter, type createCaller } from "@/server/trpc/root";
import { sessionCaller } from "../support/callers";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine, TEST_KEY } from "../support/order-engine";
import { waitFor } from "../support/wait";

// The README's role matrix is the source: every procedure that is not administrators-only is named
// in exactly one of its rows, and each role gets exactly what the row says. A procedure added
// without a row, a row naming a procedure that no longer exists, or a role check that disagrees
// with the README fails here. Partner B's owner gets NOT_FOUND for partner A's objects (ids from
// A's real data), and B's lists never show one of A's ids.

const ROLES = ["owner", "developer", "finance"] as const;
const PASSWORD = "correct horse battery";

interface MatrixRow {
  what: string;
  procedures: string[];
  allowed: Record<MemberRole, boolean>;
}

/** The table between `<!-- role-matrix:begin -->` and `<!-- role-matrix:end -->` in README.md. */
function readMatrix(): MatrixRow[] {
  const readme = fs.readFileSync(path.join(process.cwd(), "README.md"), "utf8");
  const block = /<!-- role-matrix:begin -->\n([\s\S]*?)\n<!-- role-matrix:end -->/.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no <!-- role-matrix:begin --> … <!-- role-matrix:end --> table");
  const lines = block.split("\n").filter((l) => l.trim().startsWith("|"));
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) => c.trim());
  const header = cells(lines[0]!);
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`role matrix: no "${name}" column in ${header.join(" | ")}`);
    return i;
  };
  const [what, procs] = [col("what"), col("procedures")];
  return lines.slice(2).map((line) => {
    const c = cells(line);
    const allowed = {} as Record<MemberRole, boolean>;
    for (const role of ROLES) {
      const v = c[col(role)];
      if (v !== "yes" && v !== "no") throw new Error(`role matrix row "${c[what]}": ${role} is "${v}", not yes or no`);
      allowed[role] = v === "yes";
    }
    const procedures = [...c[procs]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    if (procedures.length === 0) throw new Error(`role matrix row "${c[what]}" names no procedure`);
    return { what: c[what]!, procedures, allowed };
  });
}

const matrix = readMatrix();
const allProcedures = Object.keys((appRouter._def as unknown as { procedures: Record<string, unknown> }).procedures).sort();
const inMatrix = new Map(matrix.flatMap((row) => row.procedures.map((p) => [p, row] as const)));

type Caller = ReturnType<typeof createCaller>;

/** Calls `path` (dotted) on a caller: the caller is a proxy, any path resolves. */
function invoke(api: Caller, procedure: string, input: unknown): Promise<unknown> {
  let fn: any = api; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const part of procedure.split(".")) fn = fn[part];
  return fn(input);
}

async function outcome(p: Promise<unknown>): Promise<{ code: string; value?: unknown; message?: string }> {
  try {
    return { code: "OK", value: await p };
  } catch (e) {
    return e instanceof TRPCError ? { code: e.code, message: e.message } : { code: "THREW", message: String(e) };
  }
}

let t: TestDatabase;
let engine: OrderEngine;
const A = { partnerId: "", users: {} as Record<MemberRole, string>, completedOrder: "", walletEntry: "", requestLog: "", endpoint: "", delivery: "" };
/** Nobody listens there: deliveries to it fail at once. */
const DEAD_URL = "http://127.0.0.1:9/hooks";
let serial = 0;
/** A UTC day, `days` from today, as the date inputs send it. */
const today = (days = 0) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const B = { partnerId: "", owner: "" };
/** Ids of objects the samples made for A (also found by `idsOwnedBy`, but known at once). */
const madeForA = new Set<string>();
const own = <T extends string>(id: T) => {
  madeForA.add(id);
  return id;
};

/** Every id of an object the partner owns, read from the database: none may reach another partner. */
async function idsOwnedBy(partnerId: string): Promise<Set<string>> {
  const rows = await t.db.execute<{ id: string }>(sql`
    select id from orders where partner_id = ${partnerId}
    union all select id from api_keys where partner_id = ${partnerId}
    union all select id from topup_requests where partner_id = ${partnerId}
    union all select id from request_logs where partner_id = ${partnerId}
    union all select id from memberships where partner_id = ${partnerId}
    union all select id from invitations where partner_id = ${partnerId}
    union all select id from webhook_endpoints where partner_id = ${partnerId}
    union all select id from webhook_events where partner_id = ${partnerId}
    union all select id from webhook_deliveries where partner_id = ${partnerId}
    union all select a.id from webhook_delivery_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.partner_id = ${partnerId}
    union all select id from ledger_accounts where partner_id = ${partnerId}
    union all select e.id from ledger_entries e join ledger_accounts w on w.id = e.account_id where w.partner_id = ${partnerId}
    union all select e.transfer_id from ledger_entries e join ledger_accounts w on w.id = e.account_id where w.partner_id = ${partnerId}`);
  return new Set([...madeForA, ...rows.map((r) => r.id)]);
}

interface SampleCtx {
  /** The partner whose objects the input names (always A: B is given A's ids). */
  partnerId: string;
  /** The user the call is made as. */
  userId: string;
}
/** A real input for each procedure, with fresh objects of A for the calls that consume them. */
const SAMPLES: Record<string, (ctx: SampleCtx) => unknown> = {
  "me.get": () => undefined,
  "me.changePassword": async ({ userId }) => {
    // Each call starts from the same password, so every caller can change it.
    await t.db
      .update(users)
      .set({ passwordHash: await hashPassword(PASSWORD) })
      .where(eq(users.id, userId));
    return { currentPassword: PASSWORD, newPassword: "another horse battery" };
  },
  "partner.overview": () => undefined,
  "partner.team": () => undefined,
  "partner.wallets": () => undefined,
  "partner.orders": () => ({ environment: "sandbox" }),
  "partner.keys.list": () => undefined,
  "partner.keys.create": () => ({ environment: "sandbox", name: "matrix" }),
  "partner.keys.revoke": async ({ partnerId }) => {
    const { key } = await createApiKey(t.db, { partnerId, environment: "sandbox", name: "to revoke", actor: "test" });
    return { keyId: own(key.id) };
  },
  "console.catalog": () => undefined,
  "console.quote": () => ({ sku: RANGED_USD, faceValue: "10.00", quantity: 1 }),
  "console.createOrder": () => ({ sku: RANGED_USD, faceValue: "1.00", quantity: 1 }),
  "console.order": () => ({ id: A.completedOrder }),
  "console.balance": () => undefined,
  "dashboard.overview": () => ({ environment: "sandbox" }),
  "dashboard.orders.list": () => ({ environment: "sandbox" }),
  "dashboard.orders.exportCsv": () => ({ environment: "sandbox" }),
  "dashboard.orders.get": () => ({ environment: "sandbox", orderId: A.completedOrder }),
  "dashboard.orders.timeline": () => ({ environment: "sandbox", orderId: A.completedOrder }),
  "dashboard.orders.revealCards": () => ({ environment: "sandbox", orderId: A.completedOrder }),
  // A reused reference gives back the first order: the matrix buys once per partner.
  "dashboard.orders.buy": () => ({ environment: "sandbox", sku: RANGED_USD, faceValue: "2.00", quantity: 1, referenceId: "matrix-buy" }),
  "wallet.balances": () => ({ environment: "sandbox" }),
  "wallet.transactions": () => ({ environment: "sandbox" }),
  "wallet.entry": () => ({ environment: "sandbox", entryId: A.walletEntry }),
  "wallet.statement": () => ({ environment: "sandbox", currency: "USD", from: today(-1), to: today() }),
  "wallet.topups.list": () => ({ environment: "sandbox" }),
  "wallet.topups.create": () => ({ environment: "sandbox", currency: "USD", amount: "100.00", note: "matrix" }),
  "logs.list": () => ({ environment: "sandbox" }),
  "logs.get": () => ({ id: A.requestLog }),
  "logs.errorsByCode": () => ({ environment: "sandbox" }),
  "partner.keys.rotate": async ({ partnerId }) => {
    const { key } = await createApiKey(t.db, { partnerId, environment: "sandbox", name: "to rotate", actor: "test" });
    return { keyId: own(key.id), overlapSeconds: 3600 };
  },
  "webhooks.list": () => ({ environment: "sandbox" }),
  "webhooks.get": () => ({ environment: "sandbox", endpointId: A.endpoint }),
  "webhooks.create": () => ({ environment: "sandbox", url: DEAD_URL, description: "matrix", events: ["*"], enabled: true }),
  "webhooks.update": () => ({ environment: "sandbox", endpointId: A.endpoint, description: "changed by the matrix" }),
  "webhooks.delete": async () => ({ environment: "sandbox", endpointId: own((await newEndpointOfA()).id) }),
  "webhooks.rotateSecret": () => ({ environment: "sandbox", endpointId: A.endpoint }),
  "webhooks.sendTest": () => ({ environment: "sandbox", endpointId: A.endpoint }),
  "webhooks.deliveries": () => ({ environment: "sandbox", endpointId: A.endpoint }),
  "webhooks.delivery": () => ({ environment: "sandbox", deliveryId: A.delivery }),
  "webhooks.replay": () => ({ environment: "sandbox", deliveryId: A.delivery }),
  "webhooks.recoverPreview": () => ({ environment: "sandbox", endpointId: A.endpoint, since: new Date(Date.now() - 3600_000) }),
  "webhooks.recover": () => ({ environment: "sandbox", endpointId: A.endpoint, since: new Date(Date.now() - 3600_000) }),
  "webhooks.successRate": () => ({ environment: "sandbox", endpointId: A.endpoint, days: 7 }),
  "team.me": () => undefined,
  "team.members": () => undefined,
  "team.invitations": () => undefined,
  "team.invite": () => ({ email: `invitee-${++serial}@matrix.test`, role: "developer" }),
  "team.resendInvitation": async () => ({ invitationId: own(await newInvitationOfA()) }),
  "team.revokeInvitation": async () => ({ invitationId: own(await newInvitationOfA()) }),
  "team.changeRole": async () => ({ membershipId: await newMemberOfA(), role: "finance" }),
  "team.remove": async () => ({ membershipId: await newMemberOfA() }),
  "settings.get": () => ({ environment: "sandbox" }),
  "settings.updateProfile": () => ({ businessName: "Matrix Rewards", contactEmail: "ops@matrix.test", country: "GB" }),
  "settings.updateContacts": () => ({ billingEmail: "billing@matrix.test", technicalEmail: "tech@matrix.test" }),
  "settings.updateEmailPreferences": () => ({ reEngagement: false }),
  "settings.setLowBalanceThreshold": () => ({ environment: "sandbox", currency: "USD", threshold: "50.00" }),
  "onboarding.checklist": () => undefined,
  "onboarding.goLive.status": () => undefined,
  "onboarding.goLive.request": () => ({
    legalName: "Matrix Rewards Ltd",
    registrationNumber: "MR-0001",
    website: "https://matrix.example",
    expectedMonthlyVolume: "25000",
    useCase: "Gift cards for our loyalty programme members.",
  }),
};

async function callerFor(userId: string | null) {
  const { services } = engine;
  return sessionCaller(t.db, userId, { services });
}

/** Fresh objects of A, made by A's owner through the procedures (A's real data). */
async function newEndpointOfA() {
  const api = await callerFor(A.users.owner);
  return (await api.webhooks.create({ environment: "sandbox", url: DEAD_URL, description: "A's endpoint", events: ["*"], enabled: true })).endpoint;
}
async function newInvitationOfA() {
  const email = `a-invitee-${++serial}@matrix.test`;
  await (await callerFor(A.users.owner)).team.invite({ email, role: "finance" });
  const [row] = await t.db.select({ id: invitations.id }).from(invitations).where(eq(invitations.email, email));
  return row!.id;
}
async function newMemberOfA() {
  const { id } = await makeUser(t.db, { partnerId: A.partnerId, role: "developer" });
  const [m] = await t.db.select({ id: memberships.id }).from(memberships).where(eq(memberships.userId, id));
  return own(m!.id);
}

/** Procedures called with `undefined` when they have no sample: the missing-sample test names them. */
const sampleFor = (procedure: string) => SAMPLES[procedure] ?? (() => undefined);

/** JSON with bigints, so results can be searched for ids. */
const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "";

beforeAll(async () => {
  t = await createTestDatabase();
  // Webhooks to loopback, one attempt each: a delivery to DEAD_URL is exhausted at once.
  const webhooks = { allowPrivateTargets: true, retryScheduleMs: [], timeoutMs: 2_000 };
  bindAppDatabase(t, { encryptionKey: TEST_KEY, webhooks });
  engine = await startOrderEngine(t, { functions: [...orderEngineFunctions, deliverWebhook], services: { webhooks } });
  await engine.startWorker();
  A.partnerId = await engine.sandboxPartner("Partner A");
  B.partnerId = await engine.sandboxPartner("Partner B");
  for (const role of ROLES) A.users[role] = (await makeUser(t.db, { partnerId: A.partnerId, role, password: PASSWORD })).id;
  B.owner = (await makeUser(t.db, { partnerId: B.partnerId, role: "owner", password: PASSWORD })).id;
  // Verified emails: the go-live request asks for one (a precondition, not a role).
  await t.db.update(users).set({ emailVerifiedAt: new Date() });
  const { order } = await createOrder(t.db, {
    partnerId: A.partnerId,
    environment: "sandbox",
    sku: RANGED_USD,
    faceValue: "25.00",
    quantity: 1,
    referenceId: "matrix-a-1",
    actor: "test",
  });
  A.completedOrder = own(order.id);
  const { key } = await createApiKey(t.db, { partnerId: A.partnerId, environment: "sandbox", name: "A's key", actor: "test" });
  // A request A's key made, as the API logs it.
  A.requestLog = newId("req");
  await t.db.insert(requestLogs).values({
    id: A.requestLog,
    partnerId: A.partnerId,
    environment: "sandbox",
    keyStart: key.start,
    method: "GET",
    path: "/api/v1/wallet",
    status: 200,
    latencyMs: 3,
    ip: "127.0.0.1",
    requestId: newId("req"),
    createdAt: new Date(),
  });
  await requestTopup(t.db, { partnerId: A.partnerId, environment: "sandbox", currency: "USD", amount: "500.00", requestedBy: A.users.finance });
  await waitFor("A's order completed", async () => {
    const [o] = await t.db.select({ s: orders.status }).from(orders).where(eq(orders.id, A.completedOrder));
    return o?.s === "completed";
  });
  const [entry] = await t.db
    .select({ id: ledgerEntries.id })
    .from(ledgerEntries)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(eq(ledgerAccounts.partnerId, A.partnerId))
    .limit(1);
  A.walletEntry = entry!.id;
  A.endpoint = (await newEndpointOfA()).id;
  await (await callerFor(A.users.owner)).webhooks.sendTest({ environment: "sandbox", endpointId: A.endpoint });
  const delivery = await waitFor("A's test delivery to fail", async () => {
    const [d] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, A.endpoint));
    return d?.status === "exhausted" || d?.status === "failed" ? d : null;
  });
  A.delivery = delivery.id;
  await newInvitationOfA();
}, 60_000);

afterAll(async () => {
  // The orders the matrix placed finish before the engine stops.
  await waitFor(
    "orders settled",
    async () => {
      const rows = await t.db.select({ s: orders.status }).from(orders);
      return rows.every((r) => r.s === "completed" || r.s === "failed");
    },
    60_000,
  );
  await engine?.stop();
  await t?.close();
}, 90_000);

describe("the README's role matrix", () => {
  it("is well formed: each procedure in one row, every row's procedures exist", () => {
    const named = matrix.flatMap((r) => r.procedures);
    expect(
      named.filter((p, i) => named.indexOf(p) !== i),
      "procedures named in two rows",
    ).toEqual([]);
    expect(
      named.filter((p) => !allProcedures.includes(p)),
      "rows naming procedures the app does not have",
    ).toEqual([]);
    for (const row of matrix) expect(row.allowed.owner, `the owner may do everything: ${row.what}`).toBe(true);
  });

  it("has a real sample input for every procedure in the matrix (tests/integration/role-matrix.test.ts, SAMPLES)", () => {
    expect(allProcedures.filter((p) => inMatrix.has(p) && !SAMPLES[p])).toEqual([]);
  });

  it("names every procedure that is not administrators-only (an owner of a partner is FORBIDDEN from the rest)", async () => {
    const owner = await callerFor(A.users.owner);
    const unlisted = allProcedures.filter((p) => !inMatrix.has(p));
    const wrong: string[] = [];
    for (const p of unlisted) {
      // The role check runs before the input is parsed: no input needed to be refused.
      const got = await outcome(invoke(owner, p, undefined));
      if (got.code !== "FORBIDDEN") wrong.push(`${p}: ${got.code} (not in the README role matrix: add a row, or make it adminProcedure)`);
    }
    expect(wrong).toEqual([]);
    // Administrators' procedures exist, so this check is not empty.
    expect(unlisted.length).toBeGreaterThan(0);
  });

  it("gives each role exactly what the README says", async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const procedure of allProcedures.filter((p) => inMatrix.has(p))) {
      const row = inMatrix.get(procedure)!;
      for (const role of ROLES) {
        const input = await sampleFor(procedure)({ partnerId: A.partnerId, userId: A.users[role] });
        const r = await outcome(invoke(await callerFor(A.users[role]), procedure, input));
        got.push(`${procedure} as ${role}: ${r.code}${r.code === "OK" || r.code === "FORBIDDEN" ? "" : ` (${r.message})`}`);
        want.push(`${procedure} as ${role}: ${row.allowed[role] ? "OK" : "FORBIDDEN"}`);
      }
    }
    expect(got).toEqual(want);
  }, 60_000);

  it("refuses every procedure to a signed-out caller with UNAUTHORIZED", async () => {
    const anonymous = await callerFor(null);
    const got: string[] = [];
    for (const p of allProcedures) {
      const input = inMatrix.has(p) ? await sampleFor(p)({ partnerId: A.partnerId, userId: A.users.owner }) : undefined;
      got.push(`${p}: ${(await outcome(invoke(anonymous, p, input))).code}`);
    }
    expect(got).toEqual(allProcedures.map((p) => `${p}: UNAUTHORIZED`));
  });

  it("answers NOT_FOUND to partner B's owner for partner A's objects, and never shows B one of A's ids", async () => {
    const asB = await callerFor(B.owner);
    const idsOfA = await idsOwnedBy(A.partnerId);
    expect(idsOfA.size).toBeGreaterThan(10);
    const got: string[] = [];
    const want: string[] = [];
    let namingA = 0;
    for (const procedure of allProcedures.filter((p) => inMatrix.has(p))) {
      // A's ids in the input (fresh objects of A where the call consumes them), the call made as B.
      const input = await sampleFor(procedure)({ partnerId: A.partnerId, userId: B.owner });
      const names = [...idsOfA, ...madeForA].some((id) => text(input).includes(id));
      const r = await outcome(invoke(asB, procedure, input));
      if (names) {
        namingA++;
        got.push(`${procedure} with A's id: ${r.code}`);
        want.push(`${procedure} with A's id: NOT_FOUND`);
      } else {
        const leaked = [...idsOfA].filter((id) => text(r.value).includes(id));
        got.push(`${procedure}: ${r.code === "OK" ? `OK, A's ids shown: ${leaked.join(",") || "none"}` : `${r.code} (${r.message})`}`);
        want.push(`${procedure}: OK, A's ids shown: none`);
      }
    }
    expect(got).toEqual(want);
    expect(namingA).toBeGreaterThan(0);
  }, 60_000);
});
