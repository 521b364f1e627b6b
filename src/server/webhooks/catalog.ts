import type { WebhookEventType } from "./types";

/**
 * The event catalog: every event type we send, when, and an example of its `data`. The one
 * definition the docs' event table, the OpenAPI document's `webhooks` and the dashboard's event
 * picker show. The examples follow the emitters (sources.ts, endpoints.ts): thin, never card codes.
 */
interface CatalogEntry {
  type: WebhookEventType;
  /** When it is sent, in a sentence fragment ("an order reached completed…"). */
  when: string;
  /** Whether an endpoint can subscribe to it (`webhook.test` goes only to the endpoint asked). */
  subscribable: boolean;
  /** An example `data` object, as in the body `{ type, timestamp, data }`. */
  example: Record<string, unknown>;
}

const orderExample = {
  orderId: "ord_01jd7m3k8c4q2w9e",
  status: "completed",
  referenceId: "inv-1001",
  sku: "BAM-990001",
  quantity: 2,
  cardsDelivered: 2,
  totalPrice: "49.0000",
  refundedAmount: "0.0000",
  currency: "USD",
};

export const WEBHOOK_EVENT_CATALOG: readonly CatalogEntry[] = [
  { type: "order.completed", when: "an order reached completed (fully or partially)", subscribable: true, example: orderExample },
  {
    type: "order.failed",
    when: "an order failed and was refunded",
    subscribable: true,
    example: { ...orderExample, status: "failed", cardsDelivered: 0, refundedAmount: "49.0000", failureCode: "vendor_order_failed" },
  },
  {
    type: "wallet.low_balance",
    when: "a wallet fell below its threshold (once per crossing)",
    subscribable: true,
    example: { currency: "USD", balance: "82.5000", threshold: "100.0000" },
  },
  {
    type: "topup.approved",
    when: "a wallet top-up was approved",
    subscribable: true,
    example: { topupId: "top_01jd7m9x2b7k", status: "approved", amount: "5000.0000", currency: "USD" },
  },
  {
    type: "webhook.test",
    when: "you asked for a test event",
    subscribable: false,
    example: { endpointId: "whk_01jd7m0c2e", message: "This is a test event from Steller." },
  },
];

/** The whole body of an event as sent (what the receiver parses). */
export function exampleBody(entry: CatalogEntry): { type: string; timestamp: string; data: Record<string, unknown> } {
  return { type: entry.type, timestamp: "2026-11-29T10:15:04.000Z", data: entry.example };
}
