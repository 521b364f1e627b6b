import { DomainError } from "@/lib/errors";
import type { webhookDeliveries, webhookEndpoints, webhookEvents } from "@/server/db/schema";

export type WebhookEnvironment = "sandbox" | "live";

/** Who is asking: every query is limited to this partner and environment. */
export interface WebhookScope {
  partnerId: string;
  environment: WebhookEnvironment;
}

/** Event types an endpoint can subscribe to (`*` = all of them). */
export const SUBSCRIBABLE_EVENT_TYPES = ["order.completed", "order.failed", "wallet.low_balance", "topup.approved"] as const;
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];
/** Every event type sent; `webhook.test` goes only to the endpoint it was asked for. */
export type WebhookEventType = SubscribableEventType | "webhook.test";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type EventRow = typeof webhookEvents.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** An unknown endpoint or delivery is `resource_not_found`, as the API answers it. */
export type WebhookErrorCode = "resource_not_found" | "invalid_parameter" | "invalid_url" | "invalid_events" | "too_many_endpoints" | "endpoint_unavailable";

export class WebhookError extends DomainError<WebhookErrorCode> {
  constructor(code: WebhookErrorCode, message: string, param?: string) {
    super(code, message, { param });
    this.name = "WebhookError";
  }
}
