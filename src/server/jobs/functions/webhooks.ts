import { inngest } from "../client";
import { orderCompleted, orderFailed, ordersCompleted, webhookDeliver } from "@/server/outbox/events";
import { attemptDelivery } from "@/server/webhooks/deliver";
import { checkLowBalances, emitOrderEvents } from "@/server/webhooks/sources";

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
 * orders/completed (a vendor batch's settlement) → the same for each of its members, in one run.
 * After completed orders, each wallet's low-balance check (`wallet.low_balance`, once per crossing).
 * A batch's members come as one event so that a settlement of 500 orders is one run, not 500: the
 * members' own `order/completed` events (`via: "batch"`) start none here.
 */
export const orderWebhookEvents = inngest.createFunction(
  {
    id: "webhook-order-events",
    name: "Webhook events for orders",
    triggers: [{ event: orderCompleted, if: "event.data.via != 'batch'" }, orderFailed, ordersCompleted],
    retries: 5,
  },
  async ({ event, step, services }) => {
    const data = event.data;
    const orderIds = "orderIds" in data ? data.orderIds : [data.orderId];
    const { emitted, wallets } = await step.run("emit-order-events", () => emitOrderEvents(services.webhooks.db, orderIds));
    if (wallets.length) {
      await step.run("check-low-balances", () => checkLowBalances(services.webhooks.db, wallets));
    }
    return { eventIds: emitted };
  },
);

const webhookFunctions = [deliverWebhook, orderWebhookEvents];
