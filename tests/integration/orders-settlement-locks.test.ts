import { inArray } from "drizzle-orm";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "@/server/db/schema";
import { checkInvariants } from "@/server/ledger";
import { type BatchResult, batchOf, closeBatch, placeBatch, pollBatch, queueOrder } from "@/server/orders/batch";
import type { Order } from "@/server/orders/create";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * Two vendor-batch settlements whose members share wallets in opposite orders (RESILIENCE.md:
 * `deadlock detected` in `ledger_transfer` from failBatch/settleBatch). Batch X carries
 * [order of A, order of B], batch Y [order of B, order of A]: refunding member by member, X locks
 * A's wallet then wants B's while Y holds B's and wants A's. The interleaving is made certain by a
 * side transaction holding the outbox key of each batch's first member's `order/failed` event:
 * each settlement refunds its first member (locking its accounts), then waits on that key; both
 * are released together. Every batch settlement must lock all the ledger accounts it will touch,
 * in one global order, before its first refund, so the two queue instead of deadlocking.
 */

let t: TestDatabase;
let engine: OrderEngine;

beforeAll(async () => {
  t = await createTestDatabase(12);
  engine = await startOrderEngine(t, { mock: { fulfilMs: 200 }, batchWindowMs: 50 });
  order = engine.orderMaker("settle-locks");
  // Driven by hand: the engine's own runs would place and settle the batches at their own time.
  await engine.stopWorker();
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

let order: ReturnType<OrderEngine["orderMaker"]>;

/** Closes the open batch of the members' key: its members are the orders of that key, oldest first. */
async function batchWith(members: Order[]): Promise<string> {
  const rt = engine.services.orders;
  const q = (await queueOrder(rt, members[0]!.id)) as { batchId: string };
  expect(await closeBatch(rt, q.batchId)).toMatchObject({ status: "placing", members: members.length });
  for (const m of members) expect((await batchOf(t.db, m.id))?.id).toBe(q.batchId);
  return q.batchId;
}

/**
 * Two batches whose refunded members belong to wallets A and B in opposite orders (X: A then B;
 * Y: B then A). With `leader`, each batch first carries a 3-card order of a third partner C (for
 * a PartialFailed answer of half the cards: C's order completes with its margin recognised, and
 * the next two are refunded).
 */
async function crossedBatches(faces: [string, string], opts: { leader?: boolean } = {}) {
  const [a, b] = [await engine.sandboxPartner("Wallet A"), await engine.sandboxPartner("Wallet B")];
  const c = opts.leader ? await engine.sandboxPartner("Wallet C") : null;
  const xc = c ? [await order(c, faces[0], 3)] : [];
  const xa = await order(a, faces[0], 1);
  const xb = await order(b, faces[0], 2);
  const yc = c ? [await order(c, faces[1], 3)] : [];
  const yb = await order(b, faces[1], 1);
  const ya = await order(a, faces[1], 2);
  const x = await batchWith([...xc, xa, xb]);
  const y = await batchWith([...yc, yb, ya]);
  // The pool's orders have no run of their own here (the worker is stopped).
  await t.sql`delete from job_events where status = 'pending' and name in ('order/created', 'order/batch.ready')`;
  return { x, y, firstRefunded: [xa.id, yb.id], refunded: [xa.id, xb.id, yb.id, ya.id], completed: [...xc, ...yc].map((o) => o.id) };
}

/** The PostgreSQL error under a failure (drizzle wraps it as the cause): "40P01 deadlock detected". */
const pgError = (e: unknown): string => {
  for (let c: unknown = e; c && typeof c === "object"; c = (c as { cause?: unknown }).cause) {
    const { code, message } = c as { code?: unknown; message?: unknown };
    if (typeof code === "string") return `${code} ${String(message)}`;
  }
  return String((e as Error)?.message ?? e);
};

/**
 * Runs both settlements while `gate` holds the outbox keys of their first refunded members' failure events,
 * until both settlements wait on a lock, then releases them together. Answers each one's outcome.
 */
async function raceThroughGate(firstRefunded: string[], settle: Array<() => Promise<BatchResult>>) {
  const gate: postgres.ReservedSql = await t.sql.reserve();
  try {
    await gate`begin`;
    for (const id of firstRefunded) {
      await gate`insert into job_events (id, name, data, key, ts) values (${`evt_gate_${id}`}, 'test/gate', '{}'::jsonb, ${`order-failed:${id}`}, 0)`;
    }
    const [{ pid }] = (await gate`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
    const running = settle.map((s) => s());
    running.forEach((p) => p.catch(() => {}));
    await waitFor(
      "both settlements to wait on a lock",
      async () => {
        const [{ n }] = (await t.sql`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> ${pid} and wait_event_type = 'Lock'`) as unknown as [{ n: number }];
        return n >= 2;
      },
      10_000,
      20,
    );
    await gate`rollback`;
    return await Promise.allSettled(running);
  } finally {
    gate.release();
  }
}

/**
 * Every order charged once; each refunded order failed and refunded once, all of it; each
 * completed one never refunded, its margin recognised once; and the ledger clean.
 */
async function moneyOnce(refunded: string[], completed: string[] = []) {
  const rows = await t.db
    .select()
    .from(orders)
    .where(inArray(orders.id, [...refunded, ...completed]));
  expect(rows).toHaveLength(refunded.length + completed.length);
  for (const o of rows) {
    const transfers = await t.sql<{ kind: string; amount: string }[]>`
      select kind::text, amount::text from ledger_transfers where reference = ${o.id} order by created_at`;
    if (refunded.includes(o.id)) {
      expect(o, o.id).toMatchObject({ status: "failed", refundedAmount: o.totalPrice });
      expect(transfers, o.id).toEqual([
        { kind: "order_debit", amount: o.totalPrice },
        { kind: "order_refund", amount: o.totalPrice },
      ]);
    } else {
      expect(o, o.id).toMatchObject({ status: "completed", cardsDelivered: o.quantity, refundedAmount: "0.0000" });
      expect(transfers.map((x) => x.kind).sort(), o.id).toEqual(["order_debit", "order_revenue"]);
    }
  }
  const invariants = await checkInvariants(t.db);
  expect(invariants.ok, JSON.stringify(invariants)).toBe(true);
}

/** Until the mock vendor's orders of these batches have reached their outcome (a pending answer settles nothing). */
async function vendorFinished(batchIds: string[]) {
  await waitFor("the vendor to finish the batches", async () => {
    const [{ n }] = (await t.sql`
      select count(*)::int as n from mock_vendor_orders m join vendor_batches b on b.vendor_request_id = m.request_id
      where b.id in ${t.sql(batchIds)} and m.created_at + make_interval(secs => m.fulfil_ms / 1000.0) < now()`) as unknown as [{ n: number }];
    return n === batchIds.length;
  });
}

function expectNoDeadlock(outcomes: PromiseSettledResult<BatchResult>[], status: BatchResult["status"]) {
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [pgError(o.reason)] : []));
  expect(failures).toEqual([]);
  expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.status : null))).toEqual([status, status]);
}

describe("batch settlements lock their ledger accounts in one order", () => {
  it("two batches refused at placement (failBatch), members' wallets in opposite orders: both refund every member, no deadlock", async () => {
    // .13: the mock refuses the placement (out of stock): placeBatch → failBatch refunds every member.
    const { x, y, firstRefunded, refunded } = await crossedBatches(["5.13", "7.13"]);
    const rt = engine.services.orders;
    const outcomes = await raceThroughGate(firstRefunded, [() => placeBatch(rt, x), () => placeBatch(rt, y)]);
    expectNoDeadlock(outcomes, "failed");
    await moneyOnce(refunded);
  });

  it("two batches failed by the vendor after accepting (settleBatch), members' wallets in opposite orders: both refund every member, no deadlock", async () => {
    // .66: the mock accepts the placement, then fails the order: pollBatch → settleBatch refunds every member.
    const { x, y, firstRefunded, refunded } = await crossedBatches(["5.66", "7.66"]);
    const rt = engine.services.orders;
    for (const b of [x, y]) expect(await placeBatch(rt, b)).toMatchObject({ status: "placed" });
    await vendorFinished([x, y]);
    const outcomes = await raceThroughGate(firstRefunded, [() => pollBatch(rt, x), () => pollBatch(rt, y)]);
    expectNoDeadlock(outcomes, "failed");
    await moneyOnce(refunded);
  });

  it("two batches partly delivered (settleBatch: a margin, then refunds), refunded members' wallets in opposite orders: no deadlock", async () => {
    // .50: PartialFailed with half of the 6 cards: the leader's 3 complete (margin), the next two members fail.
    const { x, y, firstRefunded, refunded, completed } = await crossedBatches(["5.50", "7.50"], { leader: true });
    const rt = engine.services.orders;
    for (const b of [x, y]) expect(await placeBatch(rt, b)).toMatchObject({ status: "placed" });
    await vendorFinished([x, y]);
    const outcomes = await raceThroughGate(firstRefunded, [() => pollBatch(rt, x), () => pollBatch(rt, y)]);
    expectNoDeadlock(outcomes, "settled");
    await moneyOnce(refunded, completed);
  });
});
