import { inngest } from "../client";
import { orderCompleted, orderFailed, webhookDeliver } from "@/server/outbox/events";
import { attemptDelivery } from "@/server/webhooks/deliver";
import { checkLowBalance, emitOrderEvent } from "@/server/webhooks/sources";

/**
 * webhook/deliver → attempt now, then after each wait of the retry schedule until a 2xx or the
 * schedule ends (exhausted). Waits are `step.sleep`s rather than function retries, so every
 * attempt is recorded and the schedule is ours; function retries only cover our own failures
 * (database), and an attempt already recorded is not sent again.
 */
export const deliverWebhook = inngest.createFunction(
  { id: "webhook-deliver", name: "Deliver webhook", triggers: [webhookDeliver], retries: 3 },
  async ({ event, step, services }) => {
    const { deliveryId } = event.data;
    // Memoised, so a run keeps the schedule it started with even if the configuration changes.
    const schedule = await step.run("retry-schedule", () => services.webhooks.retryScheduleMs);
    for (let i = 0; i <= schedule.length; i++) {
      if (i > 0) await step.sleep(`wait-${i}`, schedule[i - 1]!);
      const retryInMs = i < schedule.length ? schedule[i]! : null;
      const result = await step.run(`attempt-${i + 1}`, () => attemptDelivery(services.webhooks, deliveryId, i + 1, retryInMs));
      if (result.done) return result;
    }
    return { deliveryId, status: "exhausted", done: true };
  },
);

/**
 * order/completed, order/failed → the partner's `order.completed` / `order.failed` webhook event;
 * after a completed order, the wallet's low-balance check (`wallet.low_balance`, once per crossing).
 */
export const orderWebhookEvents = inngest.createFunction(
  { id: "webhook-order-events", name: "Webhook events for orders", triggers: [orderCompleted, orderFailed], retries: 5 },
  async ({ event, step, services }) => {
    const emitted = await step.run("emit-order-event", () => emitOrderEvent(services.webhooks.db, event.data.orderId));
    const order = emitted.order;
    if (order?.status === "completed") {
      await step.run("check-low-balance", () =>
        checkLowBalance(services.webhooks.db, { partnerId: order.partnerId, environment: order.environment, currency: order.currency }),
      );
    }
    return { eventId: emitted.emitted };
  },
);

const webhookFunctions = [deliverWebhook, orderWebhookEvents];
