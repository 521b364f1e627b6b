import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the test runner", () => {
  it("exits non-zero when a test fails, even with the embedded PostgreSQL loaded", () => {
    const r = spawnSync("npx", ["vitest", "run", "--config", "tests/support/probe/vitest.probe.config.ts", "fails.probe"], {
      env: { ...process.env, TEST_PG_PORT: "55435" },
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(r.stdout + r.stderr).toContain("fails on purpose");
    expect(r.status).toBe(1);
  }, 100_000);

  it("exits 0 when every test passes, with PostgreSQL started and stopped", () => {
    const r = spawnSync("npx", ["vitest", "run", "--config", "tests/support/probe/vitest.probe.config.ts", "passes.probe"], {
      env: { ...process.env, TEST_PG_PORT: "55435" },
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(r.stdout + r.stderr).not.toContain("is not a function");
    expect(r.status).toBe(0);
  }, 100_000);
});
