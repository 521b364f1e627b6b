import { z, type ZodType } from "zod";
import { errorsOf, type Contract, type ErrorDoc } from "./contract";
import { errorEnvelope } from "./contracts/common";
import { operations } from "./contracts";
import { webhookEventDocs } from "./contracts/webhooks";

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of a zod schema's wire side (for responses too: a timestamp is a string there, a Date in the handler). */
function schemaOf(s: ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    // zod spells out date-time as a long pattern beside the format: the format says it.
    override: ({ jsonSchema }) => {
      if (jsonSchema.format === "date-time" || jsonSchema.format === "date") delete jsonSchema.pattern;
    },
  }) as JsonSchema;
  return rest;
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };

function errorResponse(docs: ErrorDoc[]) {
  return {
    description: `${docs.map((d) => `${d.code}: ${d.description.replace(/\.$/, "")}`).join(". ")}.`,
    content: {
      "application/json": {
        schema: ERROR_REF,
        examples: Object.fromEntries(
          docs.map((d) => [
            d.code,
            {
              summary: d.description,
              value: {
                error: {
                  type: d.type,
                  code: d.code,
                  message: d.description,
                  ...(d.param ? { param: d.param } : {}),
                  requestId: "req_5f1c2a9e0b7d4c3a8e6f1b2d",
                },
              },
            },
          ]),
        ),
      },
    },
  };
}

const headersOf = (h: Record<string, string> | undefined) =>
  h ? { headers: Object.fromEntries(Object.entries(h).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {};

function operationObject(operationId: string, c: Contract) {
  const parameters: unknown[] = [];
  for (const [where, schema] of [
    ["path", c.params],
    ["query", c.query],
  ] as const) {
    if (!schema) continue;
    const js = schemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      const { description, ...rest } = s;
      parameters.push({
        name,
        in: where,
        required: where === "path" || (js.required?.includes(name) ?? false),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (c.idempotencyHeader)
    parameters.push({ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 128 }, description: "Same as referenceId" });

  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(c.responses)) {
    responses[status] =
      "schema" in r
        ? {
            description: r.description,
            ...headersOf(r.headers),
            content: { "application/json": { schema: schemaOf(r.schema), ...(r.example !== undefined ? { example: r.example } : {}) } },
          }
        : {
            description: r.description,
            ...headersOf(r.headers),
            content: { [r.contentType]: { schema: { type: "string" }, ...(r.example !== undefined ? { example: r.example } : {}) } },
          };
  }
  for (const [status, docs] of Object.entries(errorsOf(c))) responses[status] = errorResponse(docs);

  return {
    operationId,
    summary: c.summary,
    ...(c.description ? { description: c.description } : {}),
    tags: [c.tag],
    ...(c.access === "public" ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(c.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: schemaOf(c.body), ...(c.requestExample !== undefined ? { example: c.requestExample } : {}) } },
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  };
}

/** The OpenAPI 3.1 document, assembled from the operations' contracts (src/server/rest/contracts). */
export function buildOpenApi(serverUrl = "/") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { operationId, contract } of operations) {
    paths[contract.path] ??= {};
    paths[contract.path]![contract.method.toLowerCase()] = operationObject(operationId, contract);
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
      schemas: { Error: schemaOf(errorEnvelope) },
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
    paths,
    webhooks: webhookEventDocs(),
  };
}
