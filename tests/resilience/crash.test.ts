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
  app = await startApp({ name: "crash", port: 3402, pgPort: 55472, env: { MOCK_VENDOR_FAULT_RATE: "0.3", MOCK_VENDOR_FAULT_HANG_MS: "3000" } });
  d = openDatabase(app.databaseUrl);
  await waitForCatalog(d);
});
afterAll(async () => {
  await d?.close();
  await stopAll();
});

describe("crash recovery", () => {
  it(`survives two SIGKILLs of the app during ${ORDERS} orders: every order terminal, every run finished, nothing bought, charged or refunded twice`, async () => {
    const wallets = await makeWallets(d, 50, "crash");
    const { plan, unique } = planOrders({ seed: SEED + 1, orders: ORDERS, wallets, dupRate: 0.1, tag: "crash" });
    const crashes: Array<Promise<number>> = [];
    const crashAt = new Set([Math.floor(plan.length / 3), Math.floor((2 * plan.length) / 3)]);
    const crashAndRestart = async () => {
      const t0 = performance.now();
      await app.crash();
      await app.restart();
      return performance.now() - t0;
    };
    const started = performance.now();
    const sent = await sendOrders({
      targets: [app.url],
      plan,
      concurrency: 16,
      deadlineMs: 240_000,
      onProgress: (done) => {
        // The second crash waits for the first restart: two separate crashes.
        if (crashAt.has(done)) crashes.push((crashes.at(-1) ?? Promise.resolve(0)).then(crashAndRestart));
      },
    });
    const downtimes = await Promise.all(crashes);
    expect(crashes).toHaveLength(2);
    expect(sent.failures).toEqual([]);
    expect(sent.orderIds.size).toBe(unique);
    // Runs of the killed worker are taken over when their 30 s lease runs out.
    const drainMs = await waitDrained(d, SIZE === "full" ? 400_000 : 150_000);
    const totalMs = performance.now() - started;

    const found = await findInvariantViolations(d);
    const vendor = await vendorCallSummary(d);
    const [runs] =
      (await d.sql`select count(*)::int as n, count(*) filter (where attempt > 0 or failures > 0)::int as retried from job_runs where function_id like '%order-fulfil'`) as unknown as [
        { n: number; retried: number },
      ];
    recordFigures("crash", {
      requests: sent.requests,
      orders: unique,
      byStatus: found.byStatus,
      crashes: downtimes.length,
      restartSeconds: downtimes.map((ms) => round(ms / 1000)),
      postRetries: sent.retries,
      postP50Ms: round(percentile(sent.latencies, 50)),
      postP99Ms: round(percentile(sent.latencies, 99)),
      settledPerSecond: round(unique / (totalMs / 1000)),
      drainSeconds: round(drainMs / 1000),
      fulfilRuns: runs.n,
      vendorPlacements: found.vendorPlacements,
      ordersPerPlacement: round(unique / Math.max(1, found.vendorPlacements)),
      vendorCalls: vendor.calls,
      placeOrderCalls: vendor.placeOrderCalls,
      getOrderCalls: vendor.getOrderCalls,
      vendorFailedAnswers: vendor.failed,
    });

    expectOrderInvariants(found, unique);
  }, 900_000);
});
