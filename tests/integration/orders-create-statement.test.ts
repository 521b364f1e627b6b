import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCatalog } from "@/server/catalog/sync";
import { checkInvariants, grantSandboxFunds, InsufficientFundsError, orderDebitTransfer, refusalError, transferInStatement } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { OrderError } from "@/server/orders/errors";
import { createBambooClient } from "@/server/supplier/bamboo";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";
import { startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";

/**
 * The one-statement order path (issue 14, item 4): the ledger's debit and the outbox's event are
 * named parts of the orders statement. No worker runs here: only acceptance is under test.
 */
const SKU = "BAM-990001"; // the mock's ranged USD product

let t: TestDatabase;
let vendor: MockVendorServer;

beforeAll(async () => {
  t = await createTestDatabase(12);
  vendor = await startMockVendorServer(t.db, { fulfilMs: 400 });
  await syncCatalog(t.db, createBambooClient(t.db, vendor.clientConfig({ limits: { catalogMs: 0, otherMs: 0 } })).catalogPages());
});
afterAll(async () => {
  await vendor?.close();
  await t?.close();
});

async function sandboxPartner(name: string) {
  const partnerId = await makePartner(t.db, name);
  await grantSandboxFunds(t.db, partnerId);
  return partnerId;
}

const input = (partnerId: string, referenceId: string, faceValue = "10.00") =>
  ({ partnerId, environment: "sandbox", sku: SKU, faceValue, quantity: 1, referenceId, actor: "test" }) as const;

async function writesOf(partnerId: string) {
  const [row] = await t.sql<{ orders: number; debits: number; events: number; balance: string }[]>`
    select (select count(*)::int from orders where partner_id = ${partnerId}) as orders,
           (select count(*)::int from ledger_transfers tr join ledger_accounts a on a.id = tr.debit_account_id
             where tr.kind = 'order_debit' and a.partner_id = ${partnerId}) as debits,
           (select count(*)::int from job_events e join orders o on e.data->>'orderId' = o.id
             where e.name = 'order/created' and o.partner_id = ${partnerId}) as events,
           (select balance::text from ledger_accounts where partner_id = ${partnerId} and kind = 'partner_wallet') as balance`;
  return row!;
}

describe("createOrder's one statement", () => {
  it("settles 24 concurrent copies of one order: one order, one debit, one event, every caller gets the winner", async () => {
    const partnerId = await sandboxPartner("Race Same");
    const results = await Promise.all(Array.from({ length: 24 }, () => createOrder(t.db, input(partnerId, "race-same"))));
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const w = await writesOf(partnerId);
    expect({ orders: w.orders, debits: w.debits, events: w.events }).toEqual({ orders: 1, debits: 1, events: 1 });
    expect(Number(w.balance)).toBeCloseTo(1000 - Number(results[0]!.order.totalPrice), 4);
  });

  it("settles concurrent orders with one reference and different input: one order, the others reference_conflict, one debit", async () => {
    const partnerId = await sandboxPartner("Race Other");
    const settled = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => createOrder(t.db, input(partnerId, "race-other", `${10 + (i % 3)}.00`))));
    const ok = settled.filter((s) => s.status === "fulfilled");
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => s.reason);
    expect(
      refused.every((e) => e instanceof OrderError && e.code === "reference_conflict"),
      String(refused.find((e) => !(e instanceof OrderError))),
    ).toBe(true);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    const w = await writesOf(partnerId);
    expect({ orders: w.orders, debits: w.debits, events: w.events }).toEqual({ orders: 1, debits: 1, events: 1 });
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });

  it("an order the wallet cannot pay for comes back as the ledger's typed refusal and writes nothing", async () => {
    const partnerId = await sandboxPartner("Too Poor");
    await createOrder(t.db, input(partnerId, "affordable", "600.00"));
    const before = await writesOf(partnerId);
    const error = await createOrder(t.db, input(partnerId, "too-dear", "600.00")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientFundsError);
    expect(await writesOf(partnerId)).toEqual(before);
    expect(before).toMatchObject({ orders: 1, debits: 1, events: 1 });
  });
});

describe("ledger transferInStatement", () => {
  it("answers a refusal as a value, not an exception, and moves nothing", async () => {
    const partnerId = await sandboxPartner("Statement Part");
    const part = transferInStatement(
      await orderDebitTransfer(t.db, { partnerId, environment: "sandbox", currency: "USD", amount: "5000.00", orderId: "ord_statement_part" }),
    );
    const [row] = await t.db.execute<Record<string, unknown>>(sql`with d as (${part.cte}) select ${part.columns("d")} from d`);
    const attempt = part.attempt(row);
    expect(attempt).toMatchObject({ ok: false, refusal: "insufficient_funds", requested: "5000.0000", currency: "USD" });
    expect(refusalError(attempt as Extract<typeof attempt, { ok: false }>)).toBeInstanceOf(InsufficientFundsError);
    expect((await writesOf(partnerId)).balance).toBe("1000.0000");
  });

  it("is not attempted when its condition is false", async () => {
    const partnerId = await sandboxPartner("Statement Skip");
    const part = transferInStatement(
      await orderDebitTransfer(t.db, { partnerId, environment: "sandbox", currency: "USD", amount: "5.00", orderId: "ord_statement_skip" }),
      { when: sql`false` },
    );
    const rows = await t.db.execute<Record<string, unknown>>(sql`with d as (${part.cte}) select ${part.columns("d")} from d`);
    expect(part.attempt(rows[0])).toBeNull();
    expect((await writesOf(partnerId)).debits).toBe(0);
  });
});
