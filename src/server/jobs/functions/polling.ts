import { inngest } from "../client";
import { lanesInFlight, pollLane } from "@/server/orders/poller";
import { requestPoll, supplierPollRequested } from "@/server/orders/poller-hints";

/** Rounds per run before it hands over to a fresh run (keeps a run's step history short). */
const ROUNDS_PER_RUN = 50;

/**
 * The shared poller of one environment's vendor account (see src/server/orders/poller.ts): rounds
 * of get-order calls within the account's budget, most urgent batch first, with the job engine's
 * durable sleep between rounds. Any number of runs may start (one per placement, notification or
 * minute); the lease in the database lets one poll and the rest end at once, so no concurrency
 * setting is needed and it works the same with the embedded executor and an Inngest server.
 */
export const supplierPoll = inngest.createFunction(
  { id: "supplier-poll", name: "Poll the vendor (shared get-order budget)", triggers: [supplierPollRequested], retries: 5, priority: { run: "600" } },
  async ({ event, step, runId, services }) => {
    const { environment } = event.data;
    for (let round = 0; round < ROUNDS_PER_RUN; round++) {
      const r = await step.run(`round-${round}`, () => pollLane(services.orders, environment, runId));
      if (r.nextMs === null) return r;
      if (r.nextMs > 0) await step.sleep(`wait-${round}`, Math.ceil(r.nextMs));
    }
    await step.run("hand-over", () => requestPoll(services.orders.db, environment));
    return { environment, handedOver: true };
  },
);

/** Every minute: wakes the poller of each environment with batches at the vendor (a lost wake-up costs at most a minute). */
export const supplierPollTick = inngest.createFunction(
  { id: "supplier-poll-tick", name: "Wake the vendor pollers", triggers: [{ cron: "TZ=UTC * * * * *" }], retries: 1 },
  async ({ step, services }) =>
    step.run("wake", async () => {
      const rt = services.orders;
      // Without the shared poller each batch's own run polls it (notifications still wake the poller).
      if (!rt.sharedBatchPoller) return { woken: [] };
      const db = rt.db;
      const lanes = await lanesInFlight(db);
      for (const environment of lanes) await requestPoll(db, environment);
      return { woken: lanes };
    }),
);
