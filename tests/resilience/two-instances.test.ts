import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { startApp, stopAll, type AppProcess } from "./support/cluster";
import {
  expectOrderInvariants,
  findInvariantViolations,
  makeWallets,
  openDatabase,
  percentile,
  planOrders,
  recordFigures,
  round,
  SEED,
  sendOrders,
  SIZE,
  waitDrained,
  waitForCatalog,
} from "./support/load";

const ORDERS = SIZE === "full" ? 1_000 : 150;

let one: AppProcess;
let two: AppProcess;
let d: Database;

beforeAll(async () => {
  const env = { MOCK_VENDOR_FAULT_RATE: "0.3", MOCK_VENDOR_FAULT_HANG_MS: "3000", RESILIENCE_LOG_PLACEMENTS: "1" };
  one = await startApp({ name: "pair-1", port: 3403, pgPort: 55473, env });
  // Both instances buy from one vendor account (pair-1's mock), as a deployment's instances do:
  // with an account each, a batch was polled only by runs of the instance whose account it had.
  two = await startApp({ name: "pair-2", port: 3404, pgPort: 55473, env: { ...env, RESILIENCE_VENDOR_APP_URL: one.url }, shareWith: one });
  d = openDatabase(one.databaseUrl);
  await waitForCatalog(d);
});
afterAll(async () => {
  await d?.close();
  await stopAll();
});

describe("two app instances on one database", () => {
  it(`share ${ORDERS} orders without processing any twice: one debit and at most one vendor order per order`, async () => {
    const wallets = await makeWallets(d, 50, "pair");
    const { plan, unique } = planOrders({ seed: SEED + 2, orders: ORDERS, wallets, dupRate: 0.1, tag: "pair" });
    const started = performance.now();
    const sent = await sendOrders({ targets: [one.url, two.url], plan, concurrency: 16, deadlineMs: 120_000 });
    expect(sent.failures).toEqual([]);
    expect(sent.orderIds.size).toBe(unique);
    const drainMs = await waitDrained(d, SIZE === "full" ? 300_000 : 120_000);
    const totalMs = performance.now() - started;

    const found = await findInvariantViolations(d);
    // Both workers placed orders (each logs the placements it sends).
    const placers = [one, two].map((app) => ({ n: (fs.readFileSync(app.logFile, "utf8").match(/\[resilience\] placement sent: /g) ?? []).length }));
    recordFigures("two-instances", {
      requests: sent.requests,
      orders: unique,
      byStatus: found.byStatus,
      settledPerSecond: round(unique / (totalMs / 1000)),
      postP50Ms: round(percentile(sent.latencies, 50)),
      postP99Ms: round(percentile(sent.latencies, 99)),
      drainSeconds: round(drainMs / 1000),
      placementsPerInstance: placers.map((p) => p.n),
      vendorPlacements: found.vendorPlacements,
      ordersPerPlacement: round(unique / Math.max(1, found.vendorPlacements)),
    });
    expectOrderInvariants(found, unique);
    expect(placers.every((p) => p.n > 0)).toBe(true);
  }, 900_000);

  it("hold a key to its one shared bucket: 200s within the window never exceed burst + refill × elapsed", async () => {
    const [w] = await makeWallets(d, 1, "hammer");
    const burst = 50;
    const perSecond = 25;
    const statuses: Record<string, number> = {};
    const perInstance = [0, 0];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const res = await fetch(`${[one.url, two.url][i % 2]}/api/v1/wallet`, { headers: { "x-api-key": w!.key } });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 200) perInstance[i % 2]!++;
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const ok = statuses[200] ?? 0;
    const bound = burst + perSecond * elapsed;
    recordFigures("shared-rate-limit", {
      requests: 300,
      ok,
      limited: statuses[429] ?? 0,
      elapsedSeconds: round(elapsed, 2),
      bound: round(bound),
      okPerInstance: perInstance,
    });
    expect(Object.keys(statuses).sort()).toEqual(["200", "429"]);
    expect(ok).toBeLessThanOrEqual(bound);
    expect(perInstance.every((n) => n > 0)).toBe(true);
  });
});
