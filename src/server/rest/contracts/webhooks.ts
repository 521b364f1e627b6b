import { z } from "zod";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/server/webhooks/types";
import type { Operation } from "../openapi";
import { errorEnvelope, idParam, listOf, pagination } from "./common";

// ---- requests -------------------------------------------------------------------------------

const eventTypes = z
  .array(z.enum([...SUBSCRIBABLE_EVENT_TYPES, "*"]))
  .min(1)
  .max(10)
  .describe('Event types to receive, or ["*"] for all');
const url = z.string().min(1).max(2048).describe("https (or http) URL that receives POSTed events");

export const createEndpointBody = z.strictObject({
  url,
  events: eventTypes.default(["*"]),
  enabled: z.boolean().default(true),
});
export const updateEndpointBody = z
  .strictObject({ url: url.optional(), events: eventTypes.optional(), enabled: z.boolean().optional() })
  .refine((b) => b.url !== undefined || b.events !== undefined || b.enabled !== undefined, "Send at least one of url, events, enabled");

export const endpointIdParams = idParam("whk");
export const deliveryIdParams = idParam("whd");

export const listDeliveriesQuery = z.strictObject({
  ...pagination,
  status: z.enum(["pending", "failed", "succeeded", "exhausted"]).optional(),
  endpointId: z.string().regex(/^whk_[0-9a-z]{1,40}$/, "must be an id starting with whk_").optional(),
});

// ---- responses ------------------------------------------------------------------------------

export const webhookEndpoint = z.object({
  id: z.string().describe("whk_…"),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  status: z.enum(["active", "paused", "disabled"]).describe("disabled: turned off by us after failing deliveries; PATCH enabled: true to resume"),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
  environment: z.enum(["sandbox", "live"]),
  previousSecretExpiresAt: z.string().nullable().describe("Until then, deliveries are also signed with the previous secret"),
  createdAt: z.string(),
  updatedAt: z.string(),
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
  nextAttemptAt: z.string().nullable(),
  lastResponseStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().int().nullable(),
  replayOf: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const webhookDeliveryWithAttempts = webhookDelivery.extend({
  attemptLog: z.array(
    z.object({ attempt: z.number().int(), statusCode: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable(), at: z.string() }),
  ),
});
export const webhookDeliveryList = listOf(webhookDelivery);

// ---- OpenAPI --------------------------------------------------------------------------------

const notFoundResponse = (what: string) => ({ description: `No such ${what} (for this key's partner and environment)`, schema: errorEnvelope });
const SIGNING =
  "Each POST carries webhook-id (the event id, the same on retries and replays), webhook-timestamp (unix seconds) and webhook-signature: `v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`, keyed with the base64-decoded part of the secret after whsec_ (Standard Webhooks). During the 24 h after a rotation the header holds two signatures, separated by a space. Reject timestamps more than 5 minutes away. Answer 2xx within 10 s; otherwise we retry after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. Redirects are not followed.";

export const webhookOperations: Operation[] = [
  {
    method: "post", path: "/api/v1/webhook-endpoints", tag: "Webhooks", summary: "Create a webhook endpoint", body: createEndpointBody,
    description: `Events: ${SUBSCRIBABLE_EVENT_TYPES.join(", ")} (or *). The endpoint belongs to the key's environment. The signing secret is returned once. ${SIGNING}`,
    responses: {
      201: { description: "The endpoint and its signing secret (shown once)", schema: webhookEndpointWithSecret },
      409: { description: "Too many endpoints", schema: errorEnvelope },
      422: { description: "URL refused (not http(s), credentials, private or loopback address)", schema: errorEnvelope },
    },
  },
  { method: "get", path: "/api/v1/webhook-endpoints", tag: "Webhooks", summary: "List your webhook endpoints", responses: { 200: { description: "Endpoints, newest first", schema: webhookEndpointList } } },
  {
    method: "get", path: "/api/v1/webhook-endpoints/{id}", tag: "Webhooks", summary: "Get a webhook endpoint", pathParams: ["id"],
    responses: { 200: { description: "The endpoint", schema: webhookEndpoint }, 404: notFoundResponse("endpoint") },
  },
  {
    method: "patch", path: "/api/v1/webhook-endpoints/{id}", tag: "Webhooks", summary: "Change a webhook endpoint's url, events or enabled", pathParams: ["id"], body: updateEndpointBody,
    description: "enabled: true also resumes an endpoint we disabled after failing deliveries.",
    responses: { 200: { description: "The endpoint", schema: webhookEndpoint }, 404: notFoundResponse("endpoint"), 422: { description: "URL or events refused", schema: errorEnvelope } },
  },
  {
    method: "delete", path: "/api/v1/webhook-endpoints/{id}", tag: "Webhooks", summary: "Delete a webhook endpoint", pathParams: ["id"],
    responses: { 200: { description: "Deleted", schema: deletedEndpoint }, 404: notFoundResponse("endpoint") },
  },
  {
    method: "post", path: "/api/v1/webhook-endpoints/{id}/rotate-secret", tag: "Webhooks", summary: "Rotate the signing secret", pathParams: ["id"],
    description: "Returns the new secret once. The previous secret keeps signing (a second v1 signature) for 24 hours.",
    responses: { 201: { description: "The endpoint and its new secret", schema: webhookEndpointWithSecret }, 404: notFoundResponse("endpoint") },
  },
  {
    method: "post", path: "/api/v1/webhook-endpoints/{id}/test", tag: "Webhooks", summary: "Send a webhook.test event to this endpoint", pathParams: ["id"],
    responses: { 202: { description: "Queued", schema: testEventResult }, 404: notFoundResponse("endpoint"), 409: { description: "The endpoint is not enabled", schema: errorEnvelope } },
  },
  {
    method: "get", path: "/api/v1/webhook-deliveries", tag: "Webhooks", summary: "Webhook delivery log", query: listDeliveriesQuery,
    responses: { 200: { description: "A page of deliveries, newest first", schema: webhookDeliveryList } },
  },
  {
    method: "get", path: "/api/v1/webhook-deliveries/{id}", tag: "Webhooks", summary: "A delivery with each attempt", pathParams: ["id"],
    responses: { 200: { description: "The delivery and its attempts", schema: webhookDeliveryWithAttempts }, 404: notFoundResponse("delivery") },
  },
  {
    method: "post", path: "/api/v1/webhook-deliveries/{id}/replay", tag: "Webhooks", summary: "Send a delivery's event again", pathParams: ["id"],
    description: "A new delivery of the same event (same webhook-id) to the same endpoint, with a fresh timestamp and signature.",
    responses: { 202: { description: "The new delivery", schema: webhookDelivery }, 404: notFoundResponse("delivery"), 409: { description: "The endpoint was deleted or is not enabled", schema: errorEnvelope } },
  },
];
