import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "@/lib/prng";
import { checkInvariants } from "@/server/ledger";
import { createOrder } from "@/server/orders/create";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(30);
  // The real spacing limits are proven in the vendor tests; here they are shortened so 500
  // orders fit in a test run (at 2 placements/s they would take over four minutes).
  const fast = { perSecond: 1000, burst: 1000 };
  engine = await startOrderEngine(t, {
    limits: { placeOrderMs: 5, getOrderMs: 2 },
    mock: { rateLimits: { catalog: fast, accounts: fast, place_order: fast, get_order: fast } },
    maxInFlight: 48,
  });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

describe("order engine under concurrent load", () => {
  it("settles 500 concurrent orders across 20 partners with 10% duplicate references: no duplicates, no double charge or refund", async () => {
    const seed = Number(process.env.LOAD_SEED ?? 20261125);
    const rand = mulberry32(seed);
    const partners = await Promise.all(Array.from({ length: 20 }, (_, i) => engine.sandboxPartner(`Load ${i}`)));
    // Face values mix plain cards with the vendor's failure paths (reject, fail later, partial).
    const faces = ["5.00", "7.00", "9.00", "6.13", "8.66", "4.50"];
    const requests = Array.from({ length: 450 }, (_, i) => ({
      partnerId: partners[i % 20]!,
      environment: "sandbox" as const,
      sku: RANGED_USD,
      faceValue: faces[Math.floor(rand() * faces.length)]!,
      quantity: 1 + Math.floor(rand() * 2),
      referenceId: `load-${i}`,
      actor: "load-test",
    }));
    const duplicates = Array.from({ length: 50 }, () => requests[Math.floor(rand() * requests.length)]!);
    const all = [...requests, ...duplicates].sort(() => rand() - 0.5);

    const results = await Promise.allSettled(all.map((r) => createOrder(t.db, r)));
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof createOrder>>>).value.order.id));
    expect(ids.size).toBe(450);

    await waitFor(
      "every order to reach a terminal state",
      async () => {
        const [{ open }] = (await t.sql`select count(*)::int as open from orders where status in ('pending', 'processing')`) as unknown as [{ open: number }];
        return open === 0;
      },
      150_000,
      250,
    );

    const [{ n }] = (await t.sql`select count(*)::int as n from orders`) as unknown as [{ n: number }];
    expect(n).toBe(450);
    const doubleDebits = await t.sql`select reference from ledger_transfers where kind = 'order_debit' group by reference having count(*) > 1`;
    expect(doubleDebits).toHaveLength(0);
    const mismatched = await t.sql`
      select o.id from orders o
      left join ledger_transfers d on d.kind = 'order_debit' and d.reference = o.id
      left join ledger_transfers r on r.kind = 'order_refund' and r.reference = o.id
      where d.amount <> o.total_price
         or coalesce(r.amount, 0) <> o.refunded_amount
         or (o.status = 'failed' and coalesce(r.amount, 0) <> o.total_price)`;
    expect(mismatched).toHaveLength(0);
    const vendorDupes = await t.sql`select request_id from mock_vendor_orders group by request_id having count(*) > 1`;
    expect(vendorDupes).toHaveLength(0);
    const report = await checkInvariants(t.db);
    expect(report.ok, JSON.stringify(report).slice(0, 500)).toBe(true);
  }, 240_000);
});
