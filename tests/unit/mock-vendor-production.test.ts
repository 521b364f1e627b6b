import { describe, expect, it } from "vitest";
import { assertStartable, EnvError, loadEnv, mockVendorRouteEnabled } from "@/lib/env";
import { createMockVendorRoute, inProcessFetch, MOCK_VENDOR_DISABLED_MESSAGE } from "@/server/supplier/mock";
import type { Db } from "@/server/db/client";

const base = {
  DATABASE_URL: "postgres://u:p@db.internal:5432/steller",
  AUTH_SECRET: "x".repeat(40),
  ENCRYPTION_KEY: "a".repeat(64),
};
const bamboo = {
  BAMBOO_BASE_URL: "https://api.bamboo.example",
  BAMBOO_CLIENT_ID: "steller",
  BAMBOO_CLIENT_SECRET: "s3cret",
  BAMBOO_ACCOUNT_ID: "42",
};
const production = { ...base, NODE_ENV: "production" };
const ownMock = { MOCK_VENDOR_CLIENT_ID: "our-mock", MOCK_VENDOR_CLIENT_SECRET: "a-long-private-mock-secret" };

function startProblems(source: Record<string, string | undefined>): string[] {
  try {
    assertStartable(loadEnv(source));
    return [];
  } catch (e) {
    if (e instanceof EnvError) return e.problems;
    throw e;
  }
}

describe("the built-in mock vendor in production", () => {
  it("serves its route by default in development and test", () => {
    expect(mockVendorRouteEnabled(loadEnv(base))).toBe(true);
    expect(mockVendorRouteEnabled(loadEnv({ ...base, NODE_ENV: "test" }))).toBe(true);
    expect(mockVendorRouteEnabled(loadEnv({ ...base, MOCK_VENDOR_ENABLED: "false" }))).toBe(false);
  });

  it("refuses its route in production unless MOCK_VENDOR_ENABLED=true", () => {
    expect(mockVendorRouteEnabled(loadEnv({ ...production, ...bamboo }))).toBe(false);
    expect(mockVendorRouteEnabled(loadEnv({ ...production, STELLER_LOCAL: "true" }))).toBe(false); // npm start on a laptop
    expect(mockVendorRouteEnabled(loadEnv({ ...production, STELLER_LOCAL: "true", MOCK_VENDOR_ENABLED: "true" }))).toBe(true);
    expect(mockVendorRouteEnabled(loadEnv({ ...production, ...bamboo, MOCK_VENDOR_ENABLED: "" }))).toBe(false);
    expect(mockVendorRouteEnabled(loadEnv({ ...production, ...bamboo, ...ownMock, MOCK_VENDOR_ENABLED: "true" }))).toBe(true);
    expect(startProblems({ ...production, ...bamboo, MOCK_VENDOR_ENABLED: "maybe" })[0]).toMatch(/^MOCK_VENDOR_ENABLED/);
  });

  it("the route answers 404 with a clear message before any authentication or database work", async () => {
    const route = createMockVendorRoute(
      () => {
        throw new Error("the disabled route must not open the database");
      },
      () => loadEnv({ ...production, ...bamboo }),
    );
    const res = await route(new Request("http://app.example/api/mock-vendor/api/integration/v1.0/accounts"));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: MOCK_VENDOR_DISABLED_MESSAGE });
    expect(MOCK_VENDOR_DISABLED_MESSAGE).toContain("MOCK_VENDOR_ENABLED");
    // Enabled: the same route reaches the mock (which asks for credentials before touching the database).
    const enabled = createMockVendorRoute(
      () => ({}) as Db,
      () => loadEnv({ ...production, ...bamboo, ...ownMock, MOCK_VENDOR_ENABLED: "true" }),
    );
    expect((await enabled(new Request("http://app.example/api/mock-vendor/api/integration/v1.0/accounts"))).status).toBe(401);
  });

  it("refuses to start in production with the mock's default credentials where the mock answers or buys live orders", () => {
    const enabledWithDefaults = startProblems({ ...production, ...bamboo, MOCK_VENDOR_ENABLED: "true" });
    expect(enabledWithDefaults).toHaveLength(1);
    expect(enabledWithDefaults[0]).toMatch(
      /^MOCK_VENDOR_CLIENT_SECRET: is the built-in mock vendor's published default, and in production its route \/api\/mock-vendor is enabled/,
    );
    const liveOnMock = startProblems(production);
    expect(liveOnMock[0]).toContain("it buys the live orders (BAMBOO_BASE_URL is not set)");
    expect(liveOnMock[0]).toContain(
      "Set BAMBOO_BASE_URL, BAMBOO_CLIENT_ID, BAMBOO_CLIENT_SECRET and BAMBOO_ACCOUNT_ID for the real vendor, or your own MOCK_VENDOR_CLIENT_ID and MOCK_VENDOR_CLIENT_SECRET",
    );
  });

  it("starts in production with the real vendor, or with the mock on credentials of its own, or on a laptop", () => {
    expect(startProblems({ ...production, ...bamboo })).toEqual([]); // sandbox in-process, route off
    expect(startProblems({ ...production, ...ownMock })).toEqual([]);
    expect(startProblems({ ...production, ...bamboo, ...ownMock, MOCK_VENDOR_ENABLED: "true" })).toEqual([]);
    expect(startProblems({ ...production, STELLER_LOCAL: "true" })).toEqual([]);
    expect(startProblems(base)).toEqual([]);
  });
});

describe("the in-process mock vendor fetch", () => {
  it("hands the request to the handler and returns its answer", async () => {
    const f = inProcessFetch(async (req) => new Response(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`, { status: 201 }));
    const res = await f("http://mock.local/api/integration/v1.0/orders/checkout", { method: "POST", body: "{}" });
    expect([res.status, await res.text()]).toEqual([201, "POST /api/integration/v1.0/orders/checkout {}"]);
  });

  it("rejects with the client's timeout like a network call when the handler never answers", async () => {
    const f = inProcessFetch(() => new Promise<Response>(() => {}));
    const err = await f("http://mock.local/x", { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("TimeoutError");
  });
});
