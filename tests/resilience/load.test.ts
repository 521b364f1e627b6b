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
  vendorCallSummary,
  waitDrained,
  waitForCatalog,
} from "./support/load";

const ORDERS = SIZE === "full" ? 1_000 : 150;

let app: AppProcess;
let d: Database;

beforeAll(async () => {
  app = await startApp({ name: "load", port: 3401, pgPort: 55471, env: { MOCK_VENDOR_FAULT_RATE: "0.3", MOCK_VENDOR_FAULT_HANG_MS: "3000" } });
  d = openDatabase(app.databaseUrl);
  await waitForCatalog(d);
});
afterAll(async () => {
  await d?.close();
  await stopAll();
});

describe("load with a failing vendor", () => {
  it(`settles ${ORDERS} orders from 50 wallets with 10% duplicate references while 30% of vendor calls fail: every order terminal, nothing duplicated, charged or refunded twice`, async () => {
    const wallets = await makeWallets(d, 50, "load");
    const { plan, unique } = planOrders({ seed: SEED, orders: ORDERS, wallets, dupRate: 0.1, tag: "load" });
    const started = performance.now();
    const sent = await sendOrders({ targets: [app.url], plan, concurrency: 16, deadlineMs: 120_000 });
    expect(sent.failures).toEqual([]);
    expect(sent.orderIds.size).toBe(unique);
    const drainMs = await waitDrained(d, SIZE === "full" ? 300_000 : 120_000);
    const totalMs = performance.now() - started;

    const found = await findInvariantViolations(d);
    const vendor = await vendorCallSummary(d);
    recordFigures("load", {
      requests: sent.requests,
      orders: unique,
      byStatus: found.byStatus,
      acceptedPerSecond: round(sent.requests / (sent.elapsedMs / 1000)),
      settledPerSecond: round(unique / (totalMs / 1000)),
      postP50Ms: round(percentile(sent.latencies, 50)),
      postP99Ms: round(percentile(sent.latencies, 99)),
      postRetries: sent.retries,
      sendSeconds: round(sent.elapsedMs / 1000),
      drainSeconds: round(drainMs / 1000),
      vendorPlacements: found.vendorPlacements,
      ordersPerPlacement: round(unique / Math.max(1, found.vendorPlacements)),
      vendorCalls: vendor.calls,
      placeOrderCalls: vendor.placeOrderCalls,
      getOrderCalls: vendor.getOrderCalls,
      vendorFailedAnswers: vendor.failed,
      vendorFailedShare: round(vendor.failed / Math.max(1, vendor.calls), 2),
      vendorByStatus: vendor.byStatus,
    });

    expectOrderInvariants(found, unique);
    // The faults were really there: about 30% of vendor calls got no usable answer. Batches make
    // few calls (20 at the reduced size), so the share's floor is three standard deviations below
    // 30% for this many calls (a binomial count), and at most 15%; at least one call failed.
    const faultRate = 0.3;
    const floor = Math.min(0.15, faultRate - 3 * Math.sqrt((faultRate * (1 - faultRate)) / vendor.calls));
    expect(vendor.failed).toBeGreaterThan(0);
    expect(vendor.failed / vendor.calls).toBeGreaterThan(floor);
  }, 900_000);
});
