import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { startApp, stopAll, type AppProcess } from "./support/cluster";
import {
  expectOrderInvariants,
  findInvariantViolations,
  makeWallets,
  openDatabase,
  planOrders,
  recordFigures,
  round,
  SEED,
  sendOrders,
  SIZE,
  waitDrained,
  waitForCatalog,
} from "./support/load";

/**
 * Scenario (a) of issue 12: steps that never settle. The app's first HANG placements never
 * settle (RESILIENCE_HANG_PLACEMENTS, a test-only hook in support/app-server.ts: no request is
 * sent and the promise never resolves or rejects, past every vendor timeout). Each such step
 * must end at its deadline (JOBS_STEP_DEADLINE_MS = 6 s here), be recorded as a failed attempt
 * and be retried with backoff (2 s ±20%) with the same request id, so every order still ends.
 *
 * Bound: a hung order ends within deadline + backoff + one normal fulfilment (6 + 2.4 + ~5 s);
 * the test allows DRAIN_BOUND_MS after the last order is accepted for all of them.
 */

const ORDERS = SIZE === "full" ? 400 : 40;
const HANG = SIZE === "full" ? 24 : 6;
const DEADLINE_MS = 6_000;
const DRAIN_BOUND_MS = 60_000;

let app: AppProcess;
let d: Database;

beforeAll(async () => {
  app = await startApp({
    name: "step-deadline",
    port: 3407,
    pgPort: 55477,
    env: { RESILIENCE_HANG_PLACEMENTS: String(HANG), JOBS_STEP_DEADLINE_MS: String(DEADLINE_MS) },
  });
  d = openDatabase(app.databaseUrl);
  await waitForCatalog(d);
});
afterAll(async () => {
  await d?.close();
  await stopAll();
});

describe("steps that never settle", () => {
  it(`ends all ${ORDERS} orders although the first ${HANG} placements never settle: each hung step fails at its ${DEADLINE_MS / 1000} s deadline and is retried, within ${DRAIN_BOUND_MS / 1000} s`, async () => {
    const wallets = await makeWallets(d, 10, "deadline");
    const { plan, unique } = planOrders({ seed: SEED + 7, orders: ORDERS, wallets, dupRate: 0, tag: "deadline" });
    const started = performance.now();
    const sent = await sendOrders({ targets: [app.url], plan, concurrency: 8, deadlineMs: 120_000 });
    expect(sent.failures).toEqual([]);
    expect(sent.orderIds.size).toBe(unique);
    const drainMs = await waitDrained(d, DRAIN_BOUND_MS);
    const totalMs = performance.now() - started;

    // Each hung placement is one attempt that failed at the deadline, named after its step.
    const late = (await d.sql`
      select a.run_id, a.error->>'message' as message from job_step_attempts a join job_runs r on r.id = a.run_id
      where r.function_id = 'steller-order-batch' and a.error->>'name' = 'StepDeadlineExceeded'`) as unknown as { run_id: string; message: string }[];
    expect(late).toHaveLength(HANG);
    // Placements are made by the vendor batch's function (its step "place").
    expect(new Set(late.map((l) => l.message))).toEqual(new Set([`step place of steller-order-batch exceeded its deadline of ${DEADLINE_MS / 1000} s`]));
    expect(new Set(late.map((l) => l.run_id)).size).toBe(HANG);
    // Those runs completed on their retry; every run ended.
    const [runs] = (await d.sql`
      select count(*) filter (where status = 'completed')::int as completed, count(*)::int as n
      from job_runs where id in ${d.sql(late.map((l) => l.run_id))}`) as unknown as [{ completed: number; n: number }];
    expect(runs).toEqual({ completed: HANG, n: HANG });

    const found = await findInvariantViolations(d);
    recordFigures("step-deadline", {
      orders: unique,
      hungPlacements: HANG,
      stepDeadlineSeconds: DEADLINE_MS / 1000,
      byStatus: found.byStatus,
      sendSeconds: round(sent.elapsedMs / 1000),
      drainSeconds: round(drainMs / 1000),
      drainBoundSeconds: DRAIN_BOUND_MS / 1000,
      totalSeconds: round(totalMs / 1000),
    });
    expectOrderInvariants(found, unique);
  }, 600_000);
});
