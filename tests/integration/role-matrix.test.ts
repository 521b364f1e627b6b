import fs from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/server/auth/password";
import { loadSessionUser, type MemberRole } from "@/server/auth/session-user";
import { orders, users } from "@/server/db/schema";
import { createApiKey } from "@/server/keys";
import { createOrder } from "@/server/orders/create";
import { appRouter, createCaller } from "@/server/trpc/root";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
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
const A = { partnerId: "", users: {} as Record<MemberRole, string>, completedOrder: "" };
const B = { partnerId: "", owner: "" };
/** Every id of an object partner A owns: none may reach partner B. */
const idsOfA = new Set<string>();
const own = <T extends string>(id: T) => {
  idsOfA.add(id);
  return id;
};

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
  return createCaller({ db: t.db, user: userId ? await loadSessionUser(t.db, userId) : null, headers: new Headers() });
}

function sampleFor(procedure: string) {
  const sample = SAMPLES[procedure];
  if (!sample) throw new Error(`${procedure} has no sample input in tests/integration/role-matrix.test.ts (SAMPLES): add one`);
  return sample;
}

/** JSON with bigints, so results can be searched for ids. */
const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "";

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  engine = await startOrderEngine(t);
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
  own((await createApiKey(t.db, { partnerId: A.partnerId, environment: "sandbox", name: "A's key", actor: "test" })).key.id);
  await waitFor("A's order completed", async () => {
    const [o] = await t.db.select({ s: orders.status }).from(orders).where(eq(orders.id, A.completedOrder));
    return o?.s === "completed";
  });
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
    const got: string[] = [];
    const want: string[] = [];
    let namingA = 0;
    for (const procedure of allProcedures.filter((p) => inMatrix.has(p))) {
      // A's ids in the input (fresh objects of A where the call consumes them), the call made as B.
      const input = await sampleFor(procedure)({ partnerId: A.partnerId, userId: B.owner });
      const names = [...idsOfA].some((id) => text(input).includes(id));
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
