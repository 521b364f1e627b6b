import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/status/route";
import { orders } from "@/server/db/schema";
import { createOrder } from "@/server/orders/create";
import { componentStatuses, recordIncidents } from "@/server/status";
import { createBambooClient } from "@/server/supplier/bamboo";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startMockVendorServer } from "../support/mock-vendor-server";
import { type OrderEngine, RANGED_USD, startOrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";

/**
 * The public status (issue 17 item 12) over the real order engine and the mock vendor over HTTP:
 * order fulfilment turns degraded when the vendor fails (its fault rate, or its magic failing
 * value) and back once it works again; the monitor opens and closes the incident it shows.
 */
let t: TestDatabase;
let engine: OrderEngine;
let partnerId: string;
beforeAll(async () => {
  t = await createTestDatabase(20);
  bindAppDatabase(t);
  engine = await startOrderEngine(t, { mock: { fulfilMs: 200 } });
  partnerId = await engine.sandboxPartner();
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const status = async () => {
  const res = await call(GET as never, "/api/v1/status");
  expect(res.status).toBe(200);
  return res.json as {
    status: string;
    components: { id: string; status: string; detail: string | null }[];
    incidents: { component: string; status: string; endedAt: string | null }[];
  };
};
const fulfilment = async () => (await status()).components.find((c) => c.id === "fulfilment")!;
/** What the monitor cron does each minute for incidents. */
const monitor = async () => recordIncidents(t.db, await componentStatuses(t.db));

let ref = 0;
async function placeAndFinish(faceValue: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { order } = await createOrder(t.db, {
      partnerId,
      environment: "sandbox",
      sku: RANGED_USD,
      faceValue,
      quantity: 1,
      referenceId: `st-${++ref}`,
      actor: "test",
    });
    ids.push(order.id);
  }
  return waitFor(
    `${n} orders at ${faceValue} to finish`,
    async () => {
      const rows = await t.db.select({ status: orders.status }).from(orders).where(inArray(orders.id, ids));
      return rows.every((o) => o.status === "completed" || o.status === "failed") ? rows.map((o) => o.status) : null;
    },
    30_000,
  );
}

describe("GET /api/v1/status", () => {
  it("is public and every component is operational while orders go through", async () => {
    expect(await placeAndFinish("10.00", 2)).toEqual(["completed", "completed"]);
    const s = await status();
    expect(s.status).toBe("operational");
    expect(s.components.map((c) => [c.id, c.status])).toEqual([
      ["api", "operational"],
      ["fulfilment", "operational"],
      ["webhooks", "operational"],
      ["dashboard", "operational"],
    ]);
    expect(s.incidents).toEqual([]);
  });

  it("turns order fulfilment degraded while the mock vendor fails its calls (fault rate 1), and back when it answers again", async () => {
    const faulty = await startMockVendorServer(t.db, { faultRate: 1, faultHangMs: 10 });
    try {
      const client = createBambooClient(t.db, faulty.clientConfig({ retry: { maxAttempts: 2, maxVendorWaitMs: 10, baseDelayMs: 5, maxDelayMs: 10 } }));
      // Every call fails, each at random as a 429 (rate limited, not a failure), a 500 or a hang: call
      // until the failures weigh (at least 3 calls; a few 429s in a row would otherwise leave the
      // failure share under its threshold), at most 30.
      for (let i = 0; i < 30 && (i < 3 || (await fulfilment()).status !== "degraded"); i++) await expect(client.getAccounts()).rejects.toThrow();
    } finally {
      await faulty.close();
    }
    const degraded = await fulfilment();
    expect(degraded.status).toBe("degraded");
    expect(degraded.detail).toMatch(/supplier/);
    expect((await monitor()).opened).toHaveLength(1);
    expect((await status()).incidents).toMatchObject([{ component: "fulfilment", status: "degraded", endedAt: null }]);

    // Ten minutes on, the vendor answers again: its failed calls are older than the window, the
    // calls of the window (the orders' placements and polls) succeeded.
    await t.sql`update vendor_calls set started_at = started_at - interval '11 minutes' where error_kind is not null`;
    expect((await fulfilment()).status).toBe("operational");
    expect((await monitor()).closed).toHaveLength(1);
    const [incident] = (await status()).incidents;
    expect(incident).toMatchObject({ component: "fulfilment", status: "degraded" });
    expect(incident!.endedAt).not.toBeNull();
  });

  it("turns order fulfilment degraded when the mock vendor fails the orders (magic .66), and back when orders complete again", async () => {
    expect(await placeAndFinish("10.66", 3)).toEqual(["failed", "failed", "failed"]);
    const degraded = await fulfilment();
    expect(degraded.status).toBe("degraded");
    expect(degraded.detail).toMatch(/3 of the latest \d+ orders failed/);
    expect((await monitor()).opened).toHaveLength(1);

    expect(await placeAndFinish("10.00", 5)).toEqual(Array(5).fill("completed"));
    expect((await fulfilment()).status).toBe("operational");
    expect((await monitor()).closed).toHaveLength(1);
    const s = await status();
    expect(s.status).toBe("operational");
    expect(s.incidents).toHaveLength(2);
    expect(s.incidents.every((i) => i.endedAt !== null)).toBe(true);
  });
});

describe("the API component", () => {
  const logged = (n: number, status: number, secondsAgo: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `rl_status_${status}_${secondsAgo}_${i}`,
      method: "GET",
      path: "/api/v1/catalog",
      status,
      latency_ms: 3,
      ip: "127.0.0.1",
      request_id: `req_status_${status}_${secondsAgo}_${i}`,
      created_at: new Date(Date.now() - secondsAgo * 1000 - i).toISOString(),
    }));
  const api = async () => (await status()).components.find((c) => c.id === "api")!;

  it("reads the latest 2,000 requests of the window: failures turn it down, newer successes past them turn it back", async () => {
    try {
      await t.sql`insert into request_logs ${t.sql(logged(200, 500, 120))}`;
      const down = await api();
      expect(down.status).toBe("outage");
      expect(down.detail).toMatch(/^200 of the latest 2\d\d API requests \(last 10 minutes\) failed on our side/);

      // 2,000 answered since: the failures are no longer among the latest (all of the window,
      // 200 of 2,200, would still be 9 % and degraded).
      await t.sql`insert into request_logs ${t.sql(logged(2_000, 200, 1))}`;
      expect(await api()).toMatchObject({ status: "operational", detail: null });
    } finally {
      await t.sql`delete from request_logs where id like 'rl_status_%'`;
    }
  });
});
