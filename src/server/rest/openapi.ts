import { z, type ZodType } from "zod";
import { apiKey, apiKeyList, logsQuery, requestLogList, rotateKeyBody, rotatedKey, signupBody, signupResult, usage, usageQuery } from "./schemas/account";
import { catalogList, catalogQuery } from "./schemas/catalog";
import { errorEnvelope } from "./schemas/common";
import { createOrderBody, listOrdersQuery, order, orderList } from "./schemas/orders";
import { statementQuery, topupBody, topupList, topupRequest, transactionList, transactionsQuery, walletList } from "./schemas/wallet";
import { webhookOperations } from "./openapi-webhooks";

export interface Operation {
  method: "get" | "post" | "patch" | "put" | "delete";
  path: string;
  summary: string;
  description?: string;
  tag: string;
  query?: ZodType;
  body?: ZodType;
  pathParams?: string[];
  /** Status → schema (or text for non-JSON bodies). */
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  public?: boolean;
  idempotencyHeader?: boolean;
}

/** Every partner API operation. A test checks this list against the route files. */
export const operations: Operation[] = [
  {
    method: "get", path: "/api/v1/catalog", tag: "Catalog", summary: "List the products you can order, at your price",
    description: "Sandbox keys see the whole mock catalog at the sandbox price list; live keys see exactly the products approved for you.",
    query: catalogQuery, responses: { 200: { description: "A page of products", schema: catalogList } },
  },
  {
    method: "post", path: "/api/v1/orders", tag: "Orders", summary: "Order gift cards",
    description: "Debits your wallet and places the order with the card supplier in the background (202). Idempotent: the same referenceId (or Idempotency-Key header) with the same body returns the original order; with another body, 409.",
    body: createOrderBody, idempotencyHeader: true,
    responses: {
      202: { description: "Order accepted", schema: order },
      200: { description: "The same order, replayed (header Idempotent-Replayed: true)", schema: order },
      402: { description: "Wallet balance too low", schema: errorEnvelope },
      404: { description: "Unknown or unavailable SKU", schema: errorEnvelope },
      409: { description: "referenceId already used for a different order", schema: errorEnvelope },
      422: { description: "Face value or quantity not allowed", schema: errorEnvelope },
    },
  },
  { method: "get", path: "/api/v1/orders", tag: "Orders", summary: "List your orders", query: listOrdersQuery, responses: { 200: { description: "A page of orders, newest first", schema: orderList } } },
  {
    method: "get", path: "/api/v1/orders/{id}", tag: "Orders", summary: "Get an order, with its cards once completed", pathParams: ["id"],
    responses: { 200: { description: "The order", schema: order }, 404: { description: "No such order", schema: errorEnvelope } },
  },
  { method: "get", path: "/api/v1/wallet", tag: "Wallet", summary: "Wallet balances of the key's environment", responses: { 200: { description: "One balance per currency", schema: walletList } } },
  { method: "get", path: "/api/v1/wallet/transactions", tag: "Wallet", summary: "Wallet ledger entries", query: transactionsQuery, responses: { 200: { description: "A page of entries, newest first", schema: transactionList } } },
  {
    method: "get", path: "/api/v1/wallet/statement.csv", tag: "Wallet", summary: "Statement as CSV (streamed)", query: statementQuery,
    responses: { 200: { description: "CSV: date, entry_id, transfer_id, kind, reference, debit, credit, balance, currency. Headers x-opening-balance and x-closing-balance.", contentType: "text/csv" } },
  },
  { method: "post", path: "/api/v1/wallet/topup-requests", tag: "Wallet", summary: "Ask for a wallet top-up", body: topupBody, responses: { 201: { description: "The request, pending approval", schema: topupRequest } } },
  { method: "get", path: "/api/v1/wallet/topup-requests", tag: "Wallet", summary: "Your top-up requests", responses: { 200: { description: "Top-up requests", schema: topupList } } },
  { method: "get", path: "/api/v1/logs", tag: "Account", summary: "Your API request logs", query: logsQuery, responses: { 200: { description: "A page of request logs", schema: requestLogList } } },
  { method: "get", path: "/api/v1/usage", tag: "Account", summary: "Orders, spend and top products", query: usageQuery, responses: { 200: { description: "Usage", schema: usage } } },
  { method: "get", path: "/api/v1/keys", tag: "Account", summary: "Your API keys (prefixes only)", responses: { 200: { description: "Keys", schema: apiKeyList } } },
  {
    method: "post", path: "/api/v1/keys/{id}/rotate", tag: "Account", summary: "Rotate an API key", pathParams: ["id"], body: rotateKeyBody,
    description: "Returns a new secret (shown once). The old key keeps working for overlapSeconds (default 24 h; 0 stops it now). A key rotates only itself: other keys are managed in the dashboard.",
    responses: { 201: { description: "The new key and its secret", schema: rotatedKey }, 403: { description: "Another key of yours (key_not_self): manage it in the dashboard", schema: errorEnvelope }, 404: { description: "No such key", schema: errorEnvelope } },
  },
  {
    method: "post", path: "/api/v1/keys/{id}/revoke", tag: "Account", summary: "Revoke the API key making the request", pathParams: ["id"],
    description: "Ends the key at once (requests with it answer 401 revoked_api_key). A key revokes only itself: other keys are managed in the dashboard.",
    responses: { 200: { description: "The revoked key", schema: apiKey }, 403: { description: "Another key of yours (key_not_self): manage it in the dashboard", schema: errorEnvelope }, 404: { description: "No such key", schema: errorEnvelope } },
  },
  {
    method: "post", path: "/api/v1/public/signup", tag: "Signup", summary: "Create a partner account with a sandbox key", public: true, body: signupBody,
    description: "No API key. Rate-limited per IP. The sandbox wallet starts with fake USD so you can order at once.",
    responses: { 201: { description: "The partner and its sandbox key (shown once)", schema: signupResult }, 409: { description: "Email already registered", schema: errorEnvelope } },
  },
  {
    method: "get", path: "/api/v1/openapi.json", tag: "Reference", summary: "This document", public: true,
    responses: { 200: { description: "OpenAPI 3.1 document" } },
  },
  ...webhookOperations,
];

const schemaOf = (s: ZodType, io: "input" | "output") =>
  z.toJSONSchema(s, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;

function stripMeta(s: Record<string, unknown>) {
  const { $schema: _drop, ...rest } = s;
  return rest;
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApi(serverUrl = "/") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters: unknown[] = [];
    for (const name of op.pathParams ?? []) parameters.push({ name, in: "path", required: true, schema: { type: "string" } });
    if (op.query) {
      const js = stripMeta(schemaOf(op.query, "input")) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: "query", required: js.required?.includes(name) ?? false, schema });
      }
    }
    if (op.idempotencyHeader) {
      parameters.push({ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 128 }, description: "Same as referenceId" });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema ? { content: { "application/json": { schema: stripMeta(schemaOf(r.schema, "output")) } } } : {}),
        ...(r.contentType ? { content: { [r.contentType]: { schema: { type: "string" } } } } : {}),
      };
    }
    if (!op.public) {
      responses["401"] ??= { description: "Missing, malformed, revoked or expired API key", content: { "application/json": { schema: stripMeta(schemaOf(errorEnvelope, "output")) } } };
      responses["429"] ??= { description: "Rate limited (see Retry-After and RateLimit-* headers)", content: { "application/json": { schema: stripMeta(schemaOf(errorEnvelope, "output")) } } };
    }
    responses["400"] ??= { description: "Invalid request", content: { "application/json": { schema: stripMeta(schemaOf(errorEnvelope, "output")) } } };
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      operationId: `${op.method}${op.path.replace(/^\/api\/v1/, "").replace(/[{}]/g, "").replace(/[^a-zA-Z0-9]+(.)/g, (_, c: string) => c.toUpperCase())}`,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(op.public ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: stripMeta(schemaOf(op.body, "input")) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Steller Partner API",
      version: "1.0.0",
      description:
        "Buy digital gift cards from your prepaid wallet. Test keys (stlr_test_…) reach the sandbox: fake money and a mock card supplier. Errors always have the shape { error: { type, code, message, param?, requestId } }.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
    paths,
  };
}
