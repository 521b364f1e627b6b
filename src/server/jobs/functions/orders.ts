import { RetryAfterError } from "inngest";
import { inngest } from "../client";
import { orderCreated } from "@/server/outbox/events";
import { placeWithVendor, pollVendor } from "@/server/orders/fulfil";
import { orderRuntime } from "@/server/orders/runtime";
import { VendorError } from "@/server/supplier/bamboo";

/**
 * A vendor call that could not go within its wait budget (its rate-limit slot is further away, or
 * the vendor asked us to wait) ends the step with a RetryAfterError, so the job engine (embedded
 * or an Inngest server) retries it when the slot comes instead of a worker sleeping through it.
 * The order's slot stays reserved for its request id meanwhile.
 */
export async function honourVendorWait<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    // No `cause`: the SDK logs every step error, and a deferral is routine (its message says it all).
    if (e instanceof VendorError && e.retryAfterMs !== null) throw new RetryAfterError(e.message, Math.max(1_000, e.retryAfterMs));
    throw e;
  }
}

/**
 * order/created → place with the vendor → poll with backoff until the vendor finishes. Every
 * state change is a guarded SQL update, so a step that runs again does no harm; a run that
 * reaches the end of the poll schedule leaves the order processing for the backfill job, and so
 * does an order whose delivery does not match it (an admin is told; see completeOrder).
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
  async ({ event, step }) => {
    const { orderId } = event.data;
    const placed = await step.run("place-with-vendor", () => honourVendorWait(() => placeWithVendor(orderRuntime(), orderId)));
    if (placed.done) return placed;
    const schedule = orderRuntime().pollScheduleMs;
    for (let i = 0; i < schedule.length; i++) {
      await step.sleep(`wait-${i}`, schedule[i]!);
      const polled = await step.run(`poll-${i}`, () => honourVendorWait(() => pollVendor(orderRuntime(), orderId)));
      if (polled.done) return polled;
    }
    return { orderId, status: "processing", done: false, handedToBackfill: true };
  },
);
