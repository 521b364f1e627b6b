import { z } from "zod";
import { exampleBody, WEBHOOK_EVENT_CATALOG } from "@/server/webhooks/catalog";
import { RECOVER_WINDOW_DAYS } from "@/server/webhooks/deliveries";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/server/webhooks/types";
import { defineContract, jsonResponse, timestamp } from "../contract";
import { idParam, isoDate, listOf, pagination } from "./common";

// ---- requests -------------------------------------------------------------------------------

const eventTypes = z
  .array(z.enum([...SUBSCRIBABLE_EVENT_TYPES, "*"]))
  .min(1)
  .max(10)
  .describe('Event types to receive, or ["*"] for all');
const url = z.string().min(1).max(2048).describe("https (or http) URL that receives POSTed events");
const description = z.string().max(500).nullable().describe("Your note on what the endpoint is for (at most 500 characters)");

export const createEndpointBody = z.strictObject({
  url,
  description: description.optional(),
  events: eventTypes.default(["*"]),
  enabled: z.boolean().default(true),
});
export const updateEndpointBody = z
  .strictObject({ url: url.optional(), description: description.optional(), events: eventTypes.optional(), enabled: z.boolean().optional() })
  .refine(
    (b) => b.url !== undefined || b.description !== undefined || b.events !== undefined || b.enabled !== undefined,
    "Send at least one of url, description, events, enabled",
  );
export const recoverBody = z.strictObject({
  since: isoDate.describe(`Re-send the failed deliveries since this time (ISO 8601, within the last ${RECOVER_WINDOW_DAYS} days)`),
});

export const endpointIdParams = idParam("whk");
export const deliveryIdParams = idParam("whd");

export const listDeliveriesQuery = z.strictObject({
  ...pagination,
  status: z.enum(["pending", "failed", "succeeded", "exhausted"]).optional(),
  endpointId: z
    .string()
    .regex(/^whk_[0-9a-z]{1,40}$/, "must be an id starting with whk_")
    .optional(),
  eventType: z
    .enum(WEBHOOK_EVENT_CATALOG.map((e) => e.type) as [string, ...string[]])
    .optional()
    .describe("Only deliveries of this event type"),
});

// ---- responses ------------------------------------------------------------------------------

export const webhookEndpoint = z.object({
  id: z.string().describe("whk_…"),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  status: z.enum(["active", "paused", "disabled"]).describe("disabled: turned off by us after failing deliveries; PATCH enabled: true to resume"),
  disabledAt: timestamp.nullable(),
  disabledReason: z.string().nullable(),
  environment: z.enum(["sandbox", "live"]),
  previousSecretExpiresAt: timestamp.nullable().describe("Until then, deliveries are also signed with the previous secret"),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const webhookEndpointWithSecret = webhookEndpoint.extend({
  secret: z.string().describe("whsec_… signing secret, shown once"),
});
export const webhookEndpointList = z.object({ data: z.array(webhookEndpoint) });
export const deletedEndpoint = z.object({ id: z.string(), deleted: z.literal(true) });
export const testEventResult = z.object({ eventId: z.string().describe("msg_…, the webhook-id header"), deliveryId: z.string() });

export const webhookDelivery = z.object({
  id: z.string().describe("whd_…"),
  eventId: z.string().describe("msg_…, sent as the webhook-id header (the same on every attempt and replay)"),
  eventType: z.string(),
  endpointId: z.string(),
  status: z.enum(["pending", "failed", "succeeded", "exhausted"]).describe("failed: retry scheduled at nextAttemptAt; exhausted: no more attempts"),
  attempts: z.number().int(),
  nextAttemptAt: timestamp.nullable(),
  lastResponseStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().int().nullable(),
  replayOf: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const webhookDeliveryWithAttempts = webhookDelivery.extend({
  attemptLog: z.array(
    z.object({ attempt: z.number().int(), statusCode: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable(), at: timestamp }),
  ),
});
export const webhookDeliveryList = listOf(webhookDelivery);
export const recoverResult = z.object({
  recovered: z.number().int().describe("Failed deliveries sent again now, each as a new delivery (a replay)"),
  deliveryIds: z.array(z.string()).describe("The new deliveries, whd_…"),
  hasMore: z.boolean().describe("More than 1000 were found: call again for the rest"),
});

// ---- examples -------------------------------------------------------------------------------

const endpointExample = {
  id: "whk_01jd7m0c2e",
  url: "https://hooks.acme-rewards.example/steller",
  description: "Order status to our fulfilment service",
  events: ["order.completed", "order.failed"],
  enabled: true,
  status: "active",
  disabledAt: null,
  disabledReason: null,
  environment: "sandbox",
  previousSecretExpiresAt: null,
  createdAt: "2026-11-29T09:30:00.000Z",
  updatedAt: "2026-11-29T09:30:00.000Z",
} as const;
const withSecret = { ...endpointExample, secret: "whsec_MfKQ9r8GKYqRZ2N0c3VyZXNlY3JldA==" };
const deliveryExample = {
  id: "whd_01jd7m3k8p",
  eventId: "msg_01jd7m3k8n",
  eventType: "order.completed",
  endpointId: "whk_01jd7m0c2e",
  status: "succeeded",
  attempts: 1,
  nextAttemptAt: null,
  lastResponseStatusCode: 200,
  lastError: null,
  lastDurationMs: 84,
  replayOf: null,
  createdAt: "2026-11-29T10:15:04.000Z",
  updatedAt: "2026-11-29T10:15:04.000Z",
} as const;

// ---- operations -----------------------------------------------------------------------------

const noEndpoint = { code: "resource_not_found", description: "No such endpoint (for this key's partner and environment).", param: "id" } as const;
const noDelivery = { code: "resource_not_found", description: "No such delivery (for this key's partner and environment).", param: "id" } as const;
const refusedUrl = { code: "invalid_url", param: "url" } as const;
const refusedEvents = { code: "invalid_events", param: "events" } as const;
const SIGNING =
  "Each POST carries webhook-id (the event id, the same on retries and replays), webhook-timestamp (unix seconds) and webhook-signature: `v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`, keyed with the base64-decoded part of the secret after whsec_ (Standard Webhooks). During the 24 h after a rotation the header holds two signatures, separated by a space. Reject timestamps more than 5 minutes away. Answer 2xx within 10 s; otherwise we retry after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. Redirects are not followed.";

export const createWebhookEndpoint = defineContract({
  method: "POST",
  path: "/api/v1/webhook-endpoints",
  access: "partner",
  tag: "Webhooks",
  summary: "Create a webhook endpoint",
  description: `Events: ${SUBSCRIBABLE_EVENT_TYPES.join(", ")} (or *). The endpoint belongs to the key's environment. The signing secret is returned once. ${SIGNING}`,
  body: createEndpointBody,
  requestExample: { url: "https://hooks.acme-rewards.example/steller", events: ["order.completed", "order.failed"] },
  responses: { 201: jsonResponse(webhookEndpointWithSecret, "The endpoint and its signing secret (shown once)", { example: withSecret }) },
  errors: ["too_many_endpoints", refusedUrl, refusedEvents],
});

export const listWebhookEndpoints = defineContract({
  method: "GET",
  path: "/api/v1/webhook-endpoints",
  access: "partner",
  tag: "Webhooks",
  summary: "List your webhook endpoints",
  responses: { 200: jsonResponse(webhookEndpointList, "Endpoints, newest first", { example: { data: [endpointExample] } }) },
});

export const getWebhookEndpoint = defineContract({
  method: "GET",
  path: "/api/v1/webhook-endpoints/{id}",
  access: "partner",
  tag: "Webhooks",
  summary: "Get a webhook endpoint",
  params: endpointIdParams,
  responses: { 200: jsonResponse(webhookEndpoint, "The endpoint", { example: endpointExample }) },
  errors: [noEndpoint],
});

export const updateWebhookEndpoint = defineContract({
  method: "PATCH",
  path: "/api/v1/webhook-endpoints/{id}",
  access: "partner",
  tag: "Webhooks",
  summary: "Change a webhook endpoint's url, events or enabled",
  description: "enabled: true also resumes an endpoint we disabled after failing deliveries.",
  params: endpointIdParams,
  body: updateEndpointBody,
  requestExample: { enabled: false },
  responses: { 200: jsonResponse(webhookEndpoint, "The endpoint", { example: { ...endpointExample, enabled: false, status: "paused" } }) },
  errors: [noEndpoint, refusedUrl, refusedEvents],
});

export const deleteWebhookEndpoint = defineContract({
  method: "DELETE",
  path: "/api/v1/webhook-endpoints/{id}",
  access: "partner",
  tag: "Webhooks",
  summary: "Delete a webhook endpoint",
  params: endpointIdParams,
  responses: { 200: jsonResponse(deletedEndpoint, "Deleted", { example: { id: "whk_01jd7m0c2e", deleted: true } }) },
  errors: [noEndpoint],
});

export const rotateWebhookSecret = defineContract({
  method: "POST",
  path: "/api/v1/webhook-endpoints/{id}/rotate-secret",
  access: "partner",
  tag: "Webhooks",
  summary: "Rotate the signing secret",
  description: "Returns the new secret once. The previous secret keeps signing (a second v1 signature) for 24 hours.",
  params: endpointIdParams,
  responses: {
    201: jsonResponse(webhookEndpointWithSecret, "The endpoint and its new secret", {
      example: { ...withSecret, previousSecretExpiresAt: "2026-11-30T10:00:00.000Z", updatedAt: "2026-11-29T10:00:00.000Z" },
    }),
  },
  errors: [noEndpoint],
});

export const testWebhookEndpoint = defineContract({
  method: "POST",
  path: "/api/v1/webhook-endpoints/{id}/test",
  access: "partner",
  tag: "Webhooks",
  summary: "Send a webhook.test event to this endpoint",
  params: endpointIdParams,
  responses: { 202: jsonResponse(testEventResult, "Queued", { example: { eventId: "msg_01jd7m5t0a", deliveryId: "whd_01jd7m5t0b" } }) },
  errors: [noEndpoint, { code: "endpoint_unavailable", description: "The endpoint is not enabled.", param: "id" }],
});

export const listWebhookDeliveries = defineContract({
  method: "GET",
  path: "/api/v1/webhook-deliveries",
  access: "partner",
  tag: "Webhooks",
  summary: "Webhook delivery log",
  query: listDeliveriesQuery,
  responses: {
    200: jsonResponse(webhookDeliveryList, "A page of deliveries, newest first", { example: { data: [deliveryExample], hasMore: false, nextCursor: null } }),
  },
});

export const getWebhookDelivery = defineContract({
  method: "GET",
  path: "/api/v1/webhook-deliveries/{id}",
  access: "partner",
  tag: "Webhooks",
  summary: "A delivery with each attempt",
  params: deliveryIdParams,
  responses: {
    200: jsonResponse(webhookDeliveryWithAttempts, "The delivery and its attempts", {
      example: { ...deliveryExample, attemptLog: [{ attempt: 1, statusCode: 200, durationMs: 84, error: null, at: "2026-11-29T10:15:04.000Z" }] },
    }),
  },
  errors: [noDelivery],
});

export const replayWebhookDelivery = defineContract({
  method: "POST",
  path: "/api/v1/webhook-deliveries/{id}/replay",
  access: "partner",
  tag: "Webhooks",
  summary: "Send a delivery's event again",
  description: "A new delivery of the same event (same webhook-id) to the same endpoint, with a fresh timestamp and signature.",
  params: deliveryIdParams,
  responses: {
    202: jsonResponse(webhookDelivery, "The new delivery", {
      example: {
        ...deliveryExample,
        id: "whd_01jd7m6a1c",
        status: "pending",
        attempts: 0,
        lastResponseStatusCode: null,
        lastDurationMs: null,
        replayOf: "whd_01jd7m3k8p",
      },
    }),
  },
  errors: [noDelivery, { code: "endpoint_unavailable", description: "The endpoint was deleted or is not enabled.", param: "id" }],
});

export const recoverWebhookDeliveries = defineContract({
  method: "POST",
  path: "/api/v1/webhook-endpoints/{id}/recover",
  access: "partner",
  tag: "Webhooks",
  summary: "Re-send every failed delivery since a time",
  description: `Every event whose latest delivery to this endpoint failed (status failed or exhausted) and that was delivered to it since \`since\` is sent again, as a replay (same webhook-id). Idempotent: an event already re-sent and still pending, or delivered, is not sent again, so calling twice sends nothing twice. At most 1000 per call (hasMore). The endpoint must be enabled; \`since\` within the last ${RECOVER_WINDOW_DAYS} days.`,
  params: endpointIdParams,
  body: recoverBody,
  requestExample: { since: "2026-11-28T09:00:00Z" },
  responses: {
    202: jsonResponse(recoverResult, "Queued", { example: { recovered: 2, deliveryIds: ["whd_01jd7m6a1c", "whd_01jd7m6a1d"], hasMore: false } }),
  },
  errors: [
    noEndpoint,
    { code: "endpoint_unavailable", description: "The endpoint is not enabled.", param: "id" },
    { code: "invalid_parameter", description: `since is in the future or more than ${RECOVER_WINDOW_DAYS} days ago.`, param: "since" },
  ],
});

/**
 * The OpenAPI 3.1 \`webhooks\` object: each event we POST to endpoints, its body and an example,
 * from the event catalog (the docs' event table shows the same entries).
 */
export function webhookEventDocs(): Record<string, unknown> {
  return Object.fromEntries(
    WEBHOOK_EVENT_CATALOG.map((e) => [
      e.type,
      {
        post: {
          summary: e.type,
          description: `Sent when ${e.when}.${e.subscribable ? "" : " Only to the endpoint a test was asked for."} ${SIGNING}`,
          tags: ["Webhooks"],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["type", "timestamp", "data"],
                  properties: { type: { const: e.type }, timestamp: { type: "string", format: "date-time" }, data: { type: "object" } },
                },
                example: exampleBody(e),
              },
            },
          },
          responses: { "200": { description: "Any 2xx within 10 s acknowledges the event" } },
        },
      },
    ]),
  );
}
