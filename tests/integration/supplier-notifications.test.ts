import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCatalog } from "@/server/catalog/sync";
import { catalogProducts, supplierNotifications, vendorBatches, vendorCalls } from "@/server/db/schema";
import { pollLane } from "@/server/orders/poller";
import { bambooNotificationHandler } from "@/server/orders/poller-hints";
import type { OrderRuntime } from "@/server/orders/runtime";
import { createBambooClient, type BambooClient } from "@/server/supplier/bamboo";
import { MOCK_TEST_PRODUCTS, sendMockNotification } from "@/server/supplier/mock";
import { NOTIFICATION_TOLERANCE_S, signNotification } from "@/server/supplier/notifications";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { serveFetchHandler, startMockVendorServer, type MockVendorServer, type ServedHandler } from "../support/mock-vendor-server";
import { waitFor } from "../support/wait";

/**
 * Bamboo's order notifications: our verified endpoint (POST /api/supplier/bamboo/notifications, as
 * a Fetch handler over real HTTP) and the mock vendor that sends them. A notification is a hint
 * only: it makes its batch be asked first, now, by the shared poller; it never settles anything.
 */
const SECRET = "notification-secret-for-tests-0123456789";
const PATH = "/api/supplier/bamboo/notifications";
let t: TestDatabase;
let mock: MockVendorServer;
let client: BambooClient;
let app: ServedHandler;
let productId: string;
let clockS: number | null = null; // null: the real clock
let secret: string | undefined = SECRET;

beforeAll(async () => {
  t = await createTestDatabase(6);
  mock = await startMockVendorServer(t.db, { rateLimits: false, fulfilMs: 0 });
  client = createBambooClient(t.db, mock.clientConfig({ limits: { placeOrderMs: 20, getOrderMs: 20, catalogMs: 0, otherMs: 0 } }));
  await syncCatalog(t.db, client.catalogPages());
  const [p] = await t.db
    .select({ id: catalogProducts.id })
    .from(catalogProducts)
    .where(eq(catalogProducts.vendorProductId, String(MOCK_TEST_PRODUCTS.USD.ranged)));
  productId = p!.id;
  app = await serveFetchHandler(
    bambooNotificationHandler(
      () => t.db,
      () => secret,
      { nowS: () => clockS ?? Math.floor(Date.now() / 1000) },
    ),
  );
});
afterAll(async () => {
  await app?.close();
  await mock?.close();
  await t?.close();
});

/** A batch at the vendor as section A's engine leaves it (placed; next poll far away unless given). */
async function insertBatch(opts: { requestId?: string; nextPollAt?: Date | null; placedAt?: Date; status?: "placing" | "placed" } = {}) {
  const id = `bat_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const requestId = opts.requestId ?? randomUUID();
  await t.db.insert(vendorBatches).values({
    id,
    environment: "sandbox",
    account: client.account,
    productId,
    vendorProductId: String(MOCK_TEST_PRODUCTS.USD.ranged),
    faceValue: "5",
    faceCurrency: "USD",
    vendorRequestId: requestId,
    status: opts.status ?? "placed",
    quantity: 1,
    members: 1,
    closeAt: new Date(),
    placedAt: opts.placedAt ?? new Date(),
    nextPollAt: opts.nextPollAt === undefined ? new Date(Date.now() + 3_600_000) : opts.nextPollAt,
  });
  return { id, requestId };
}

function post(body: string, headers: Record<string, string>) {
  return fetch(app.origin + PATH, { method: "POST", headers, body });
}

function signed(requestId: string, opts: { id?: string; ts?: number; secret?: string; status?: string } = {}) {
  const body = JSON.stringify({ type: "order.finished", requestId, orderId: 700001, status: opts.status ?? "Succeeded" });
  const headers = signNotification(opts.secret ?? SECRET, opts.id ?? `ntf-${randomUUID()}`, opts.ts ?? Math.floor(Date.now() / 1000), body);
  return { body, headers };
}

const wakeEvents = async () => (await t.sql<{ n: number }[]>`select count(*)::int as n from job_events where name = 'supplier/poll.requested'`)[0]!.n;
const hints = async (requestId: string) => t.db.select().from(supplierNotifications).where(eq(supplierNotifications.requestId, requestId));

describe("the notification endpoint", () => {
  it("refuses unsigned, wrongly signed, tampered, re-addressed and stale notifications (401), malformed ones (400) and oversized ones (413), recording nothing", async () => {
    const { requestId } = await insertBatch();
    const before = await wakeEvents();
    const good = signed(requestId);

    expect((await post(good.body, { "content-type": "application/json" })).status).toBe(401); // unsigned
    expect((await post(good.body, signed(requestId, { secret: "another-secret-of-enough-length" }).headers)).status).toBe(401); // wrong secret
    expect((await post(good.body.replace("Succeeded", "Failed"), good.headers)).status).toBe(401); // body changed
    expect((await post(good.body, { ...good.headers, "webhook-id": "ntf-other" })).status).toBe(401); // id is signed too
    const old = signed(requestId, { ts: Math.floor(Date.now() / 1000) - NOTIFICATION_TOLERANCE_S - 5 });
    expect((await post(old.body, old.headers)).status).toBe(401); // outside the tolerance
    const future = signed(requestId, { ts: Math.floor(Date.now() / 1000) + NOTIFICATION_TOLERANCE_S + 5 });
    expect((await post(future.body, future.headers)).status).toBe(401);
    expect((await post(good.body, { ...good.headers, "webhook-timestamp": "yesterday" })).status).toBe(401);

    // Signed but not a notification.
    const notJson = "not json";
    expect((await post(notJson, signNotification(SECRET, "ntf-x", Math.floor(Date.now() / 1000), notJson))).status).toBe(400);
    const noId = JSON.stringify({ type: "order.finished", status: "Succeeded" });
    expect((await post(noId, signNotification(SECRET, "ntf-y", Math.floor(Date.now() / 1000), noId))).status).toBe(400);

    const huge = JSON.stringify({ requestId, pad: "x".repeat(20_000) });
    expect((await post(huge, signNotification(SECRET, "ntf-z", Math.floor(Date.now() / 1000), huge))).status).toBe(413);

    expect(await hints(requestId)).toHaveLength(0);
    expect(await wakeEvents()).toBe(before);
  });

  it("answers 404 when no secret is configured, and 405 to anything but POST", async () => {
    const { body, headers } = signed(randomUUID());
    secret = undefined;
    try {
      expect((await post(body, headers)).status).toBe(404);
    } finally {
      secret = SECRET;
    }
    expect((await fetch(app.origin + PATH)).status).toBe(405);
  });

  it("records a verified notification once, makes its batch due now and wakes the poller; a resend is recorded once and a replay after the tolerance is refused", async () => {
    const { id, requestId } = await insertBatch();
    const before = await wakeEvents();
    const n = signed(requestId, { status: "Failed" });
    const first = await post(n.body, n.headers);
    expect(first.status).toBe(202);
    const [batch] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, id));
    expect(batch!.nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    // Only a hint: the claimed status is recorded, the batch is untouched otherwise.
    expect(batch!.status).toBe("placed");
    expect(await hints(requestId)).toMatchObject([{ claimedStatus: "Failed", handledAt: null }]);
    expect(await wakeEvents()).toBe(before + 1);

    // The vendor resends it (same id, same signature): recorded once, no second wake-up.
    const again = await post(n.body, n.headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(await hints(requestId)).toHaveLength(1);
    expect(await wakeEvents()).toBe(before + 1);

    // Captured and replayed later: refused outright.
    clockS = Math.floor(Date.now() / 1000) + NOTIFICATION_TOLERANCE_S + 1;
    try {
      expect((await post(n.body, n.headers)).status).toBe(401);
    } finally {
      clockS = null;
    }
  });

  it("is harmless for a request id we do not know: accepted, nothing due, nothing woken", async () => {
    const { id } = await insertBatch();
    const before = await wakeEvents();
    const n = signed(randomUUID());
    expect((await post(n.body, n.headers)).status).toBe(202);
    const [batch] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, id));
    expect(batch!.nextPollAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(await wakeEvents()).toBe(before);
  });

  it("makes the poller ask the vendor about that batch at once, ahead of batches placed earlier, and only that one", async () => {
    // This lane's batches from the tests above are done with.
    await t.db.update(vendorBatches).set({ status: "settled", nextPollAt: null });
    // A real order at the mock, and its batch with a next poll an hour away.
    const requestId = randomUUID();
    expect((await client.placeOrder({ requestId, productId: MOCK_TEST_PRODUCTS.USD.ranged, quantity: 1, faceValue: "5" })).status).toBe("placed");
    const notified = await insertBatch({ requestId, placedAt: new Date() });
    // Placed earlier and due now, but not notified: it comes after the notified one.
    const olderDue = await insertBatch({ placedAt: new Date(Date.now() - 60_000), nextPollAt: new Date(Date.now() - 1_000) });
    const idle = await insertBatch({ placedAt: new Date(Date.now() - 120_000) });

    const n = signed(requestId);
    expect((await post(n.body, n.headers)).status).toBe(202);

    const asked: string[] = [];
    const rt: OrderRuntime = {
      db: t.db,
      vendorFor: () => client,
      encryptionKey: "0".repeat(64),
      pollScheduleMs: [60_000],
      batchWindowMs: 50,
      sharedBatchPoller: true,
    };
    const round = await pollLane(rt, "sandbox", "test-run", {
      // Stand-in for section A's pollBatch: one real get-order, then the batch is done.
      poll: async (r, batchId) => {
        const [b] = await t.db.select().from(vendorBatches).where(eq(vendorBatches.id, batchId));
        asked.push(batchId);
        await r.vendorFor("sandbox").getOrder(b!.vendorRequestId, { orderId: batchId });
        await t.db.update(vendorBatches).set({ status: "settled", nextPollAt: null }).where(eq(vendorBatches.id, batchId));
        return { batchId, status: "settled", done: true };
      },
    });
    expect(asked).toEqual([notified.id, olderDue.id]);
    expect(asked).not.toContain(idle.id);
    expect(round.polled).toBe(2);
    const gets = await t.db
      .select()
      .from(vendorCalls)
      .where(and(eq(vendorCalls.requestId, requestId), eq(vendorCalls.kind, "get_order")));
    expect(gets).toHaveLength(1);
    expect(gets[0]!.status).toBe(200);
    const [h] = await hints(requestId);
    expect(h!.handledAt).not.toBeNull();
  });
});

describe("the mock vendor's notifications", () => {
  it("POSTs one signed notification per finished order to the configured URL, which our endpoint verifies and records", async () => {
    const notifying = await startMockVendorServer(t.db, {
      rateLimits: false,
      autoSeed: false,
      fulfilMs: 200,
      notify: { url: app.origin + PATH, secret: SECRET },
    });
    try {
      const c = createBambooClient(t.db, notifying.clientConfig({ limits: { placeOrderMs: 0, getOrderMs: 0 } }));
      const requestId = randomUUID();
      const sentAt = Date.now();
      expect((await c.placeOrder({ requestId, productId: MOCK_TEST_PRODUCTS.USD.ranged, quantity: 2, faceValue: "7" })).status).toBe("placed");
      await waitFor("the notification", async () => (await hints(requestId)).length === 1, 5_000);
      const [h] = await hints(requestId);
      // Sent when the order finished (fulfilMs after placement), with what the mock says happened.
      expect(h!.receivedAt.getTime() - sentAt).toBeGreaterThanOrEqual(150);
      expect(h!.claimedStatus).toBe("Succeeded");
      expect(h!.id).toMatch(/^bamboo:mock-ntf-\d+$/);
      // At most once per order: a second attempt (another process serving the mock) sends nothing.
      expect(await sendMockNotification(t.db, { url: app.origin + PATH, secret: SECRET }, requestId)).toBe(false);
      await c.getOrder(requestId);
      await new Promise((r) => setTimeout(r, 300));
      expect(await hints(requestId)).toHaveLength(1);
    } finally {
      await notifying.close();
    }
  });

  it("never makes a placement wait for its notification, and gives up on a receiver that does not answer", async () => {
    let received = 0;
    const hanging = createServer(() => {
      received++; // never answers
    });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`;
    const notifying = await startMockVendorServer(t.db, { rateLimits: false, autoSeed: false, fulfilMs: 0, notify: { url, secret: SECRET, timeoutMs: 300 } });
    try {
      const c = createBambooClient(t.db, notifying.clientConfig({ limits: { placeOrderMs: 0, getOrderMs: 0 } }));
      const t0 = performance.now();
      const requestId = randomUUID();
      expect((await c.placeOrder({ requestId, productId: MOCK_TEST_PRODUCTS.USD.ranged, quantity: 1, faceValue: "5" })).status).toBe("placed");
      expect(performance.now() - t0).toBeLessThan(1_000);
      await waitFor("the notification attempt", async () => received === 1, 3_000);
      // The order is marked notified (claimed) even though the receiver never answered: no retry storm.
      const [row] = await t.sql<{ notified: boolean }[]>`select notified_at is not null as notified from mock_vendor_orders where request_id = ${requestId}`;
      expect(row!.notified).toBe(true);
      expect((await c.getOrder(requestId))?.state).toBe("succeeded");
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
      await notifying.close();
    }
  });
});
