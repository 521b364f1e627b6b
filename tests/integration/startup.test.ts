import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("start-up configuration", () => {
  it("refuses to start with a wrong variable and names it", () => {
    const r = spawnSync("npx", ["tsx", "scripts/start.ts"], {
      env: {
        ...process.env,
        AUTH_SECRET: undefined,
        ENCRYPTION_KEY: undefined,
        DATABASE_URL: "mysql://nope",
        PORT: "70000",
        NODE_ENV: "production",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(r.stderr).toContain("PORT");
    // With a real database configured in production, secrets are not invented.
    expect(r.stderr).toContain("AUTH_SECRET is required but not set");
  });
});
