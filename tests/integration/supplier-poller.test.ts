import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCatalog } from "@/server/catalog/sync";
import { catalogProducts, vendorBatches } from "@/server/db/schema";
import { pollLane, type LaneRound } from "@/server/orders/poller";
import { noteVendorNotification } from "@/server/orders/poller-hints";
import type { OrderRuntime } from "@/server/orders/runtime";
import { createBambooClient, type BambooClient } from "@/server/supplier/bamboo";
import { MOCK_RATE_LIMITS, MOCK_TEST_PRODUCTS } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";

/**
 * The shared poller's get-order budget, at a fifth of the time scale: the account's budget is 120
 * get-order calls a minute at Bamboo; here the client spaces them 100 ms apart (600 a minute) and
 * the mock refuses more than 10 a second, so "a minute" is 12 s. Many batches are in flight at once
 * (mock orders that stay Pending for a while), polled by two poller runs competing for the lane.
 */
const SCALE = 5;
const WINDOW_MS = 60_000 / SCALE;
const BUDGET = 120;
const BATCHES = 30;

let t: TestDatabase;
let mock: MockVendorServer;
let client: BambooClient;
let productId: string;
const gets: Array<{ at: number; requestId: string; status: number }> = [];

beforeAll(async () => {
  t = await createTestDatabase(8);
  mock = await startMockVendorServer(
    t.db,
    {
      fulfilMs: 8_000,
      rateLimits: { ...MOCK_RATE_LIMITS, place_order: { perSecond: 1_000, burst: 1_000 }, get_order: { perSecond: 2 * SCALE, burst: 2 } },
    },
    (inner) => async (req) => {
      const res = await inner(req);
      const m = /\/orders\/([0-9a-f-]{36})$/.exec(new URL(req.url).pathname);
      if (req.method === "GET" && m) gets.push({ at: performance.now(), requestId: m[1]!, status: res.status });
      return res;
    },
  );
  client = createBambooClient(t.db, mock.clientConfig({ limits: { placeOrderMs: 0, getOrderMs: 500 / SCALE, catalogMs: 0, otherMs: 0 } }));
  await syncCatalog(t.db, client.catalogPages());
  const [p] = await t.db
    .select({ id: catalogProducts.id })
    .from(catalogProducts)
    .where(eq(catalogProducts.vendorProductId, String(MOCK_TEST_PRODUCTS.USD.ranged)));
  productId = p!.id;
});
afterAll(async () => {
  await mock?.close();
  await t?.close();
});

const rt = (): OrderRuntime => ({
  db: t.db,
  vendorFor: () => client,
  encryptionKey: "0".repeat(64),
  pollScheduleMs: [100],
  batchWindowMs: 50,
  sharedBatchPoller: true,
});

/** Per-batch backoff of the stand-in below: 100 ms, 200 ms, 400 ms, … at most 1.6 s. */
const backoffMs = (polls: number) => Math.min(1_600, 100 * 2 ** polls);
let inFlight = 0;
let maxInFlight = 0;

/**
 * Stand-in for section A's pollBatch with the same contract: one real get-order by the batch's
 * request id; finished → the batch leaves the poller (settled), else its next poll is planned.
 */
async function pollStub(r: OrderRuntime, batchId: string) {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  try {
    const [b] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, batchId));
    const answer = await r.vendorFor("sandbox").getOrder(b!.vendorRequestId, { orderId: batchId });
    const done = answer !== null && answer.state !== "pending";
    await t.db
      .update(vendorBatches)
      .set({
        status: done ? "settled" : "placed",
        pollCount: sql`${vendorBatches.pollCount} + 1`,
        lastPolledAt: new Date(),
        nextPollAt: done ? null : new Date(Date.now() + backoffMs(b!.pollCount)),
        finishedAt: done ? new Date() : null,
      })
      .where(eq(vendorBatches.id, batchId));
    return { batchId, status: done ? ("settled" as const) : ("placed" as const), done };
  } finally {
    inFlight--;
  }
}

/** N batches at the vendor: real mock orders, placed a second apart in age (index 0 the oldest), all due now. */
async function placeBatches(n: number, label: string) {
  const out: Array<{ id: string; requestId: string }> = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const requestId = randomUUID();
    const placed = await client.placeOrder({ requestId, productId: MOCK_TEST_PRODUCTS.USD.ranged, quantity: 1, faceValue: "5" });
    expect(placed.status).toBe("placed");
    const id = `bat_${label}${String(i).padStart(3, "0")}`;
    await t.db.insert(vendorBatches).values({
      id,
      environment: "sandbox",
      account: client.account,
      productId,
      vendorProductId: String(MOCK_TEST_PRODUCTS.USD.ranged),
      faceValue: "5",
      faceCurrency: "USD",
      vendorRequestId: requestId,
      status: "placed",
      quantity: 1,
      members: 1,
      closeAt: new Date(now),
      placedAt: new Date(now - (n - i) * 1_000),
      nextPollAt: new Date(now),
    });
    out.push({ id, requestId });
  }
  return out;
}

/** What the job engine does with a poller run: rounds, with the durable sleep in between, until the run ends. */
async function run(holder: string, until: () => Promise<boolean>, rounds: LaneRound[]) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await pollLane(rt(), "sandbox", holder, { poll: pollStub });
    rounds.push(r);
    if (r.nextMs === null) {
      // This run ended; another start (a placement, a notification, the minute's tick) begins a new one.
      if (await until()) return;
      await new Promise((res) => setTimeout(res, 200));
      continue;
    }
    await new Promise((res) => setTimeout(res, r.nextMs!));
  }
  throw new Error(`${holder}: batches still at the vendor after 30 s`);
}

describe("the shared poller's get-order budget", () => {
  it("polls many in-flight batches within the account's budget over every minute window, oldest first, each until it finishes, one call at a time", async () => {
    const batches = await placeBatches(BATCHES, "b");
    gets.length = 0;
    const started = performance.now();
    const allDone = async () => (await t.sql<{ n: number }[]>`select count(*)::int as n from vendor_batches where status in ('placing', 'placed')`)[0]!.n === 0;
    const rounds: LaneRound[] = [];
    // Two runs of the poller at once (two workers, or a placement's wake-up during a round): the lease lets one poll.
    await Promise.all([run("run-a", allDone, rounds), run("run-b", allDone, rounds)]);

    expect(gets.length).toBeGreaterThan(BATCHES);
    // The vendor never had to refuse a get-order, and no window of "a minute" holds more than the budget.
    expect(gets.filter((g) => g.status === 429)).toHaveLength(0);
    for (let i = 0; i < gets.length; i++) {
      const inWindow = gets.filter((g) => g.at >= gets[i]!.at && g.at < gets[i]!.at + WINDOW_MS).length;
      expect(inWindow).toBeLessThanOrEqual(BUDGET);
    }
    // The lane asked one batch at a time, whichever run held it; the other run was told "busy".
    expect(maxInFlight).toBe(1);
    expect(rounds.some((r) => r.state === "busy")).toBe(true);
    // Oldest first: the first call for each batch came in the order the batches were placed.
    const firstCall = batches.map((b) => gets.findIndex((g) => g.requestId === b.requestId));
    expect(firstCall.every((i) => i >= 0)).toBe(true);
    expect([...firstCall].sort((a, b) => a - b)).toEqual(firstCall);
    // Each batch polled until the vendor finished it, and then never again.
    const rows = await t.db.select().from(vendorBatches).orderBy(asc(vendorBatches.id));
    for (const b of rows.filter((r) => r.id.startsWith("bat_b"))) {
      expect(b.status).toBe("settled");
      expect(b.pollCount).toBe(gets.filter((g) => g.requestId === b.vendorRequestId).length);
    }
    // The budget was the limit: about 20 calls a second while there was work.
    const seconds = (gets.at(-1)!.at - gets[0]!.at) / 1000;
    expect(gets.length / seconds).toBeLessThanOrEqual(2 * SCALE + 1);
    console.log(
      `[poller] ${BATCHES} batches, ${gets.length} get-order calls in ${seconds.toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(1)} s in all)`,
    );
  });

  it("asks a notified batch next, ahead of older due batches", async () => {
    const batches = await placeBatches(12, "n");
    const youngest = batches.at(-1)!;
    gets.length = 0;
    // Start polling, then the vendor notifies about the youngest batch while the older ones are being asked.
    const polling = pollLane(rt(), "sandbox", "run-n", { poll: pollStub, roundMs: 60_000 });
    while (gets.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(await noteVendorNotification(t.db, "bamboo", { id: "ntf-youngest", requestId: youngest.requestId, claimedStatus: "Succeeded" })).toBe("recorded");
    const at = gets.length;
    await polling;
    const position = gets.findIndex((g) => g.requestId === youngest.requestId);
    // At most the call already in flight when the notification came goes before it.
    expect(position).toBeGreaterThanOrEqual(at - 1);
    expect(position).toBeLessThanOrEqual(at + 1);
    // Without the notification it would have been the last of the first round.
    expect(position).toBeLessThan(batches.length - 1);
  });
});

describe("a poll that fails on our side", () => {
  it("makes the batch due again within seconds, not after the poller's 2-minute claim (a deadlock while settling left members open for 2 min)", async () => {
    const [b] = await placeBatches(1, "ourerr");
    const failing = async () => {
      throw new Error("deadlock detected (simulated settlement failure)");
    };
    await expect(pollLane(rt(), "sandbox", "run-err", { poll: failing })).rejects.toThrow(/deadlock/);
    const [row] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, b!.id));
    expect(row!.status).toBe("placed");
    const dueInMs = row!.nextPollAt!.getTime() - Date.now();
    expect(dueInMs).toBeLessThanOrEqual(3_000);
    // The lane is free for the next round, which asks about the batch again once it is due.
    await new Promise((res) => setTimeout(res, Math.max(0, dueInMs) + 100));
    const asked: string[] = [];
    await pollLane(rt(), "sandbox", "run-err-2", {
      poll: async (_r, id) => {
        asked.push(id);
        await t.db.update(vendorBatches).set({ status: "settled", nextPollAt: null, finishedAt: new Date() }).where(eq(vendorBatches.id, id));
        return { batchId: id, status: "settled" as const, done: true };
      },
    });
    expect(asked).toEqual([b!.id]);
  });
});

describe("settling beside asking", () => {
  const settleNow = async (id: string) => {
    await t.db.update(vendorBatches).set({ status: "settled", nextPollAt: null, finishedAt: new Date() }).where(eq(vendorBatches.id, id));
    return { batchId: id, status: "settled" as const, done: true };
  };

  it("settles a younger batch while an older one's settlement is still running, and ends the round only when both are done", async () => {
    const [big, small] = await placeBatches(2, "side");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const settledAt: Record<string, number> = {};
    const round = pollLane(rt(), "sandbox", "run-side", {
      ask: async (_r, id) => ({
        settle: async () => {
          if (id === big!.id) await gate; // the 500-card settlement that takes a while
          const out = await settleNow(id);
          settledAt[id] = performance.now();
          return out;
        },
      }),
    });
    // The younger batch is settled although the older one, asked first, is still settling.
    const deadline = Date.now() + 10_000;
    while (!settledAt[small!.id] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(settledAt[small!.id]).toBeDefined();
    expect(settledAt[big!.id]).toBeUndefined();
    let ended = false;
    void round.then(() => (ended = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(ended).toBe(false);
    release();
    const r = await round;
    expect(r.polled).toBe(2);
    expect(settledAt[big!.id]).toBeGreaterThan(settledAt[small!.id]!);
    const rows = await t.db.select().from(vendorBatches).where(sql`${vendorBatches.id} in (${big!.id}, ${small!.id})`);
    expect(rows.map((b) => b.status)).toEqual(["settled", "settled"]);
  });

  it("keeps at most settleConcurrency settlements running", async () => {
    const batches = await placeBatches(7, "cap");
    let running = 0;
    let most = 0;
    await pollLane(rt(), "sandbox", "run-cap", {
      settleConcurrency: 3,
      ask: async (_r, id) => ({
        settle: async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 50));
          running--;
          return settleNow(id);
        },
      }),
    });
    expect(most).toBe(3);
    const rows = await t.db.select().from(vendorBatches).where(sql`${vendorBatches.id} like 'bat_cap%'`);
    expect(rows.filter((b) => b.status === "settled")).toHaveLength(batches.length);
  });

  it("a settlement that fails on our side: the others finish, the batch is due again within seconds, the round ends with the error", async () => {
    const [bad, good] = await placeBatches(2, "sfail");
    await expect(
      pollLane(rt(), "sandbox", "run-sfail", {
        ask: async (_r, id) => ({
          settle: async () => {
            if (id === bad!.id) throw new Error("deadlock detected (simulated)");
            await new Promise((r) => setTimeout(r, 50));
            return settleNow(id);
          },
        }),
      }),
    ).rejects.toThrow(/deadlock/);
    const [badRow] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, bad!.id));
    const [goodRow] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, good!.id));
    expect(goodRow!.status).toBe("settled");
    expect(badRow!.status).toBe("placed");
    expect(badRow!.nextPollAt!.getTime() - Date.now()).toBeLessThanOrEqual(3_000);
    // The lane was let go: the next round takes it and asks about the batch again.
    await new Promise((r) => setTimeout(r, Math.max(0, badRow!.nextPollAt!.getTime() - Date.now()) + 100));
    const asked: string[] = [];
    await pollLane(rt(), "sandbox", "run-sfail-2", { poll: async (_r, id) => (asked.push(id), settleNow(id)) });
    expect(asked).toEqual([bad!.id]);
  });
});
