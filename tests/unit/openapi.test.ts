import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
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
    const urlPath = "/api/v1/" + path.relative(API_DIR, path.dirname(p)).split(path.sep).join("/").replace(/\[([^\]]+)\]/g, "{$1}");
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
