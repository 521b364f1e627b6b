import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** `npm start` (scripts/start.ts) in production with a configured database and the given variables. */
function start(extra: Record<string, string | undefined>) {
  return spawnSync("npx", ["tsx", "scripts/start.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      // Nothing listens there: the checks must stop start-up before any connection.
      DATABASE_URL: "postgres://steller:x@127.0.0.1:1/steller",
      AUTH_SECRET: "s".repeat(40),
      ENCRYPTION_KEY: "a".repeat(64),
      STELLER_LOCAL: undefined,
      BAMBOO_BASE_URL: undefined,
      MOCK_VENDOR_ENABLED: undefined,
      MOCK_VENDOR_CLIENT_ID: undefined,
      MOCK_VENDOR_CLIENT_SECRET: undefined,
      ...extra,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("start-up with the mock vendor in production", () => {
  it("refuses the mock's default credentials when the mock would buy the live orders, and says what to set", () => {
    const r = start({});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "MOCK_VENDOR_CLIENT_SECRET: is the built-in mock vendor's published default, and in production it buys the live orders (BAMBOO_BASE_URL is not set)",
    );
    expect(r.stderr).toContain("or your own MOCK_VENDOR_CLIENT_ID and MOCK_VENDOR_CLIENT_SECRET");
  });

  it("refuses them when the mock's route is enabled, even with the real vendor configured", () => {
    const r = start({
      BAMBOO_BASE_URL: "https://api.bamboo.example",
      BAMBOO_CLIENT_ID: "steller",
      BAMBOO_CLIENT_SECRET: "s3cret",
      BAMBOO_ACCOUNT_ID: "42",
      MOCK_VENDOR_ENABLED: "true",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("its route /api/mock-vendor is enabled (MOCK_VENDOR_ENABLED=true)");
  });
});
