import { inngest } from "../client";
import { orderCreated } from "../events";
import { placeWithVendor, pollVendor } from "@/server/orders/fulfil";
import { orderRuntime } from "@/server/orders/runtime";

/**
 * order/created → place with the vendor → poll with backoff until the vendor finishes. Every
 * state change is a guarded SQL update, so a step that runs again does no harm; a run that
 * reaches the end of the poll schedule leaves the order processing for the backfill job.
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
    const placed = await step.run("place-with-vendor", () => placeWithVendor(orderRuntime(), orderId));
    if (placed.done) return placed;
    const schedule = orderRuntime().pollScheduleMs;
    for (let i = 0; i < schedule.length; i++) {
      await step.sleep(`wait-${i}`, schedule[i]!);
      const polled = await step.run(`poll-${i}`, () => pollVendor(orderRuntime(), orderId));
      if (polled.done) return polled;
    }
    return { orderId, status: "processing", done: false, handedToBackfill: true };
  },
);
