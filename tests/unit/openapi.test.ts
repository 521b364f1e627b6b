import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { contractViolation, errorsOf, type Contract } from "@/server/rest/contract";
import { operations } from "@/server/rest/contracts";
import { buildOpenApi } from "@/server/rest/openapi";

const API_DIR = path.resolve("src/app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every route file under src/app/api/v1 with the HTTP methods it exports. */
function routeFiles(dir = API_DIR): Array<{ path: string; methods: string[] }> {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    if (e.name !== "route.ts") return [];
    const text = fs.readFileSync(p, "utf8");
    const methods = METHODS.filter((m) => new RegExp(`export (const|async function|function) ${m}\\b`).test(text));
    const urlPath = `/api/v1/${path
      .relative(API_DIR, path.dirname(p))
      .split(path.sep)
      .join("/")
      .replace(/\[([^\]]+)\]/g, "{$1}")}`;
    return [{ path: urlPath, methods }];
  });
}

describe("OpenAPI document", () => {
  const doc = buildOpenApi("https://api.steller.test");

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents every route file and method under src/app/api/v1", () => {
    const routes = routeFiles();
    expect(routes.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const r of routes) {
      for (const m of r.methods) if (!doc.paths[r.path]?.[m.toLowerCase()]) missing.push(`${m} ${r.path}`);
    }
    expect(missing).toEqual([]);
  });

  it("documents nothing that does not exist", () => {
    const routes = new Map(routeFiles().map((r) => [r.path, r.methods]));
    const extra: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const m of Object.keys(ops)) if (!routes.get(p)?.includes(m.toUpperCase())) extra.push(`${m} ${p}`);
    }
    expect(extra).toEqual([]);
  });
});

/** The route file serving a path, e.g. /api/v1/orders/{id} → src/app/api/v1/orders/[id]/route.ts. */
const routeFile = (urlPath: string) => path.join(API_DIR, urlPath.replace(/^\/api\/v1\//, "").replace(/\{([^}]+)\}/g, "[$1]"), "route.ts");

describe("route contracts", () => {
  it("each exported handler is built from the contract of its own path and method, and every contract has its handler", async () => {
    const wrong: string[] = [];
    const served = new Set<Contract>();
    for (const r of routeFiles()) {
      const mod = (await import(routeFile(r.path))) as Record<string, { contract?: Contract }>;
      for (const m of r.methods) {
        const c = mod[m]?.contract;
        if (!c) {
          wrong.push(`${m} ${r.path}: no contract`);
          continue;
        }
        if (c.path === "/api/v1/{any}") continue; // otherMethods: 405 for what the route does not serve
        if (c.method !== m || c.path !== r.path) wrong.push(`${m} ${r.path} is built with the contract of ${c.method} ${c.path}`);
        served.add(c);
      }
    }
    expect(wrong).toEqual([]);
    expect(operations.filter(({ contract }) => !served.has(contract)).map(({ operationId }) => operationId)).toEqual([]);
    expect(operations.every(({ contract }) => fs.existsSync(routeFile(contract.path)))).toBe(true);
  });

  it("has one contract per method and path, and operationIds that are unique", () => {
    const keys = operations.map(({ contract: c }) => `${c.method} ${c.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
  });

  it("has request and response examples that keep their own contract", () => {
    const bad: string[] = [];
    let examples = 0;
    for (const { operationId, contract: c } of operations) {
      if (c.body) {
        if (c.requestExample === undefined) bad.push(`${operationId}: no request example`);
        else {
          examples++;
          const parsed = c.body.safeParse(c.requestExample);
          if (!parsed.success) bad.push(`${operationId} request example: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
        }
      }
      for (const [status, r] of Object.entries(c.responses)) {
        if (r.example === undefined) {
          if (c.path !== "/api/v1/openapi.json") bad.push(`${operationId} ${status}: no example`);
          continue;
        }
        examples++;
        const violation = contractViolation(c, Number(status), "schema" in r ? "application/json" : r.contentType, r.example);
        if (violation) bad.push(`${operationId} ${status} example: ${violation}`);
      }
    }
    expect(bad).toEqual([]);
    expect(examples).toBeGreaterThan(25);
  });

  it("puts the examples and every documented error code in the document", () => {
    const doc = buildOpenApi() as unknown as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content: Record<string, { example?: unknown }> };
            responses: Record<string, { content?: Record<string, { example?: unknown; examples?: Record<string, unknown> }> }>;
          }
        >
      >;
    };
    const order = doc.paths["/api/v1/orders"]!.post!;
    expect(order.requestBody!.content["application/json"]!.example).toMatchObject({ sku: expect.any(String), faceValue: expect.any(String) });
    expect(order.responses["202"]!.content!["application/json"]!.example).toMatchObject({ object: "order", status: "pending" });
    for (const { contract: c } of operations) {
      const documented = doc.paths[c.path]![c.method.toLowerCase()]!.responses;
      for (const [status, docs] of Object.entries(errorsOf(c))) {
        expect(Object.keys(documented[status]!.content!["application/json"]!.examples!).sort(), `${c.method} ${c.path} ${status}`).toEqual(
          docs.map((d) => d.code).sort(),
        );
      }
    }
  });
});

describe("an answer checked against its contract", () => {
  const order = operations.find((o) => o.operationId === "getOrder")!.contract;
  const example = (order.responses[200] as { example: Record<string, unknown> }).example;

  it("keeps a documented answer", () => {
    expect(contractViolation(order, 200, "application/json", example)).toBeNull();
  });

  it("names a field of the wrong type, an undocumented field, an undocumented status and an undocumented error code", () => {
    expect(contractViolation(order, 200, "application/json", { ...example, quantity: "2" })).toMatch(/breaks its documented schema: quantity: /);
    expect(contractViolation(order, 200, "application/json", { ...example, createdAt: "yesterday" })).toMatch(/createdAt: /);
    expect(contractViolation(order, 200, "application/json", { ...example, internalNote: "x" })).toMatch(
      /fields its documented schema does not have: internalNote/,
    );
    expect(contractViolation(order, 201, "application/json", example)).toMatch(/a status its contract does not document/);
    const envelope = (code: string) => ({ error: { type: "not_found_error", code, message: "m", requestId: "req_1" } });
    expect(contractViolation(order, 404, "application/json", envelope("resource_not_found"))).toBeNull();
    expect(contractViolation(order, 404, "application/json", envelope("order_missing"))).toMatch(/error code order_missing, not documented for 404/);
    expect(contractViolation(order, 401, "application/json", envelope("missing_api_key"))).toBeNull();
  });
});
