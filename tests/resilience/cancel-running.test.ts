import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { cancelRun } from "@/server/jobs/runs";
import { redriveStuckOrders } from "@/server/orders/maintenance";
import { startApp, stopAll, type AppProcess } from "./support/cluster";
import {
  expectOrderInvariants,
  findInvariantViolations,
  makeWallets,
  openDatabase,
  planOrders,
  RANGED_USD,
  recordFigures,
  round,
  SEED,
  sendOrders,
  SIZE,
  sleep,
  waitDrained,
  waitForCatalog,
} from "./support/load";

/**
 * Scenario (c) of issue 12: a stuck run is cancelled while running, and its order is re-driven
 * once. The app's first placement never settles (RESILIENCE_HANG_PLACEMENTS=1, test-only hook in
 * support/app-server.ts) and the step deadline is the default (minutes), so the run is stuck.
 * An operator cancels it (cancelRun) while other orders flow; the backfill (called here with no
 * staleness, as its cron would after 30 min) re-drives that order and only it: never an order
 * whose run is still queued, running or sleeping, and the stuck order only once.
 *
 * Bound: the re-driven order ends within RECOVER_BOUND_MS of the re-drive.
 */

const ORDERS = SIZE === "full" ? 300 : 30;
const RECOVER_BOUND_MS = 60_000;

let app: AppProcess;
let d: Database;

beforeAll(async () => {
  app = await startApp({ name: "cancel-running", port: 3408, pgPort: 55478, env: { RESILIENCE_HANG_PLACEMENTS: "1" } });
  d = openDatabase(app.databaseUrl);
  await waitForCatalog(d);
});
afterAll(async () => {
  await d?.close();
  await stopAll();
});

type Run = { id: string; status: string; claimed_by: string | null };
/** The runs that place the order: its vendor batch's (the order's own run only queues it for the batch). */
const fulfilRuns = async (orderId: string) =>
  (await d.sql`select id, status::text, claimed_by from job_runs where function_id = 'steller-order-batch'
    and concurrency_key = (select batch_id from orders where id = ${orderId}) order by created_at`) as unknown as Run[];
const orderStatus = async (orderId: string) =>
  ((await d.sql`select status::text from orders where id = ${orderId}`) as unknown as { status: string }[])[0]!.status;

describe("cancelling a stuck run", () => {
  it(`cancels a run stuck in its placement while ${ORDERS} other orders flow, and the backfill re-drives that order exactly once`, async () => {
    const wallets = await makeWallets(d, 10, "cancel");
    // The first order: its placement is the one that never settles.
    const [stuck] = await sendOrders({
      targets: [app.url],
      plan: [{ wallet: wallets[0]!, body: { sku: RANGED_USD, faceValue: "25.00", quantity: 1, referenceId: "cancel-stuck" } }],
      concurrency: 1,
      deadlineMs: 30_000,
    }).then((r) => [...r.orderIds]);
    expect(stuck).toBeDefined();
    let run: Run | undefined;
    for (let i = 0; i < 100 && !(run?.status === "running" && run.claimed_by); i++) {
      [run] = await fulfilRuns(stuck!);
      await sleep(100);
    }
    expect(run).toMatchObject({ status: "running" });
    await sleep(3_000); // the mock fulfils in 0.5 s: an order still pending now is stuck
    expect(await orderStatus(stuck!)).toBe("pending");
    // While its run is open the backfill leaves the order alone.
    expect(await redriveStuckOrders(d.db, { staleAfterMs: 0 })).toEqual([]);

    const load = sendOrders({
      targets: [app.url],
      plan: planOrders({ seed: SEED + 11, orders: ORDERS, wallets, dupRate: 0, tag: "cancel" }).plan,
      concurrency: 8,
      deadlineMs: 120_000,
    });
    const cancelledAt = performance.now();
    expect(await cancelRun(d.db, run!.id)).toEqual({ ok: true });
    // Only the stuck order is re-driven, although the others are young and open too (their runs are).
    expect(await redriveStuckOrders(d.db, { staleAfterMs: 0 })).toEqual([stuck]);
    expect(await redriveStuckOrders(d.db, { staleAfterMs: 0 })).toEqual([]);
    const redrivenAt = performance.now();
    let recoveredMs = 0;
    for (;;) {
      const s = await orderStatus(stuck!);
      if (s === "completed" || s === "failed") break;
      recoveredMs = performance.now() - redrivenAt;
      expect(recoveredMs).toBeLessThan(RECOVER_BOUND_MS);
      await sleep(200);
    }
    recoveredMs = performance.now() - redrivenAt;
    const sent = await load;
    expect(sent.failures).toEqual([]);
    const drainMs = await waitDrained(d, 120_000);

    expect(await orderStatus(stuck!)).toBe("completed");
    const runs = await fulfilRuns(stuck!);
    expect(runs.map((r) => r.status)).toEqual(["cancelled", "completed"]);
    const found = await findInvariantViolations(d);
    recordFigures("cancel-running", {
      orders: sent.orderIds.size + 1,
      byStatus: found.byStatus,
      cancelToRedriveMs: round(redrivenAt - cancelledAt),
      redriveToDoneSeconds: round(recoveredMs / 1000),
      recoverBoundSeconds: RECOVER_BOUND_MS / 1000,
      drainSeconds: round(drainMs / 1000),
    });
    expectOrderInvariants(found, sent.orderIds.size + 1);
  }, 600_000);
});
