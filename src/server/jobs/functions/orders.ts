import { RetryAfterError } from "inngest";
import { inngest } from "../client";
import { orderBatchReady, orderCreated } from "@/server/outbox/events";
import { batchCloseTime, closeBatch, placeBatch, pollBatch, queueOrder } from "@/server/orders/batch";
import { placeWithVendor, pollVendor } from "@/server/orders/fulfil";
import { wakePollerFor } from "@/server/orders/poller-hints";
import { supplierPoll, supplierPollTick } from "./polling";
import { VendorError } from "@/server/supplier/bamboo";

/**
 * A vendor call that could not go within its wait budget (its rate-limit slot is further away, or
 * the vendor asked us to wait) ends the step with a RetryAfterError, so the job engine (embedded
 * or an Inngest server) retries it when the slot comes instead of a worker sleeping through it.
 * The order's slot stays reserved for its request id meanwhile.
 */
async function honourVendorWait<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    // No `cause`: the SDK logs every step error, and a deferral is routine (its message says it all).
    if (e instanceof VendorError && e.retryAfterMs !== null) throw new RetryAfterError(e.message, Math.max(1_000, e.retryAfterMs));
    throw e;
  }
}

/**
 * order/created → a batched order joins the pool of its product and makes sure an open vendor
 * batch exists (the batch's own function does the rest, see placeVendorBatch). The app's orders
 * do that in the statement that creates them (`createOrder` with `services.orders`) and get this
 * event only when that could not be settled there (a batch opened by a concurrent statement), or
 * from a re-drive (backfill, an admin); a burst of one product then queues no run per order ahead
 * of another product's first placement in the executor's first-in first-out queue. An order made
 * before batching (`batched` false) is placed on its own, as before: place with the vendor → poll
 * with backoff until the vendor finishes. Every state change is a guarded SQL update, so a step
 * that runs again does no harm; a run that reaches the end of the poll schedule leaves the order
 * processing for the backfill job, and so does an order whose delivery does not match it (an
 * admin is told; see completeOrder).
 */
export const fulfilOrder = inngest.createFunction(
  {
    id: "order-fulfil",
    name: "Fulfil order",
    triggers: [orderCreated],
    retries: 8,
    // One run at a time per order: a re-drive waits for the run in flight.
    concurrency: [{ key: "event.data.orderId", limit: 1 }],
  },
  async ({ event, step, services }) => {
    const { orderId } = event.data;
    const queued = await step.run("queue", () => queueOrder(services.orders, orderId));
    if (queued.mode === "batch") return queued;
    const placed = await step.run("place-with-vendor", () => honourVendorWait(() => placeWithVendor(services.orders, orderId)));
    if (placed.done) return placed;
    const schedule = services.orders.pollScheduleMs;
    for (let i = 0; i < schedule.length; i++) {
      await step.sleep(`wait-${i}`, schedule[i]!);
      const polled = await step.run(`poll-${i}`, () => honourVendorWait(() => pollVendor(services.orders, orderId)));
      if (polled.done) return polled;
    }
    return { orderId, status: "processing", done: false, handedToBackfill: true };
  },
);

/**
 * order/batch.ready → gather until the window ends and the product's next placement slot comes
 * (the slot is reserved for the batch's request id) → close (members fixed, before any call) →
 * place under the stored request id → poll, once for every member, until the vendor finishes
 * (the first poll at once: the vendor may have delivered already). A re-drive of a batch in any
 * state picks up where it stands: each step is a no-op past its state. With a shared poller
 * (`sharedBatchPoller`) the run ends after placement. The end of the schedule, or a delivery that
 * does not match, leaves the batch to the backfill.
 */
export const placeVendorBatch = inngest.createFunction(
  {
    id: "order-batch",
    name: "Place vendor batch",
    triggers: [orderBatchReady],
    retries: 8,
    // Ahead of the per-order runs that feed it: a burst of orders queues one run each, and the
    // batch that carries them all must not wait behind them (embedded executor and Inngest alike).
    priority: { run: "600" },
    concurrency: [{ key: "event.data.batchId", limit: 1 }],
  },
  async ({ event, step, services }) => {
    const { batchId } = event.data;
    const gather = await step.run("gather", () => batchCloseTime(services.orders, batchId));
    if (gather.closeAtMs !== null) await step.sleepUntil("gather-until", new Date(gather.closeAtMs));
    let closed = await step.run("close", () => closeBatch(services.orders, batchId, { ride: true }));
    if (closed.rideAtMs !== undefined) {
      // Another vendor order of the account leaves within moments: ride in it rather than go alone.
      await step.sleepUntil("ride-until", new Date(closed.rideAtMs));
      closed = await step.run("close-after-ride", () => closeBatch(services.orders, batchId));
    }
    if (closed.done) return closed;
    const placed = await step.run("place", () => honourVendorWait(() => placeBatch(services.orders, batchId)));
    if (placed.done) return placed;
    if (services.orders.sharedBatchPoller) {
      // The shared poller (supplier-poll) asks about it from now on, first poll at once.
      await step.run("wake-poller", () => wakePollerFor(services.orders.db, batchId));
      return placed;
    }
    const first = await step.run("poll-now", () => honourVendorWait(() => pollBatch(services.orders, batchId)));
    if (first.done) return first;
    const schedule = services.orders.pollScheduleMs;
    for (let i = 0; i < schedule.length; i++) {
      await step.sleep(`wait-${i}`, schedule[i]!);
      const polled = await step.run(`poll-${i}`, () => honourVendorWait(() => pollBatch(services.orders, batchId)));
      if (polled.done) return polled;
    }
    return { batchId, status: "placed", done: false, handedToBackfill: true };
  },
);

/** Every function an order needs on its way to the vendor and back (for workers and tests that run only the order engine). */
export const orderEngineFunctions = [fulfilOrder, placeVendorBatch, supplierPoll, supplierPollTick];
