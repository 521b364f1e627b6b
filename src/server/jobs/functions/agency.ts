import { requestSaleReceiptEmail } from "@/server/agency/selling";
import { generateMonthlyStatements, previousPeriod } from "@/server/agency/statements";
import { orderCompleted } from "@/server/outbox/events";
import { inngest } from "../client";

/**
 * order/completed → when the order is a sub-agent's over-the-counter sale with a customer email,
 * the receipt (with the card) is emailed to the customer, once per order (the request is keyed by
 * the order). Other orders: nothing; the API's orders (never a counter sale) start no run at all.
 */
export const saleReceiptEmail = inngest.createFunction(
  {
    id: "agency-sale-receipt",
    name: "Email a sale's receipt",
    triggers: [{ event: orderCompleted, if: "event.data.source != 'api'" }],
    retries: 5,
  },
  async ({ event, step, services }) =>
    step.run("request-receipt-email", () => requestSaleReceiptEmail(services.db, event.data.orderId, services.encryptionKey)),
);

/**
 * Monthly, on the 1st at 02:00 UTC: last month's statement of every agent and sub-agent, rendered
 * and kept (those already kept stay as they were).
 */
export const agencyMonthlyStatements = inngest.createFunction(
  {
    id: "agency-monthly-statements",
    name: "Agency monthly statements",
    triggers: [{ cron: "TZ=UTC 0 2 1 * *" }],
    retries: 3,
    concurrency: [{ limit: 1 }],
  },
  async ({ step, services }) => {
    const period = previousPeriod(services.clock.now());
    return step.run("keep-statements", () => generateMonthlyStatements(services.db, period));
  },
);
