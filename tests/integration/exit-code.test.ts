import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the test runner", () => {
  it("exits non-zero when a test fails, even with the embedded PostgreSQL loaded", () => {
    const r = spawnSync("npx", ["vitest", "run", "--config", "tests/support/probe/vitest.probe.config.ts"], {
      env: { ...process.env, TEST_PG_PORT: "55435" },
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(r.stdout + r.stderr).toContain("fails on purpose");
    expect(r.status).toBe(1);
  }, 100_000);
});
