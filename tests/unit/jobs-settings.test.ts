import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { embeddedWorkerSettings } from "@/server/jobs";

// The settings are read from process.env (loadEnv): a minimal valid environment, restored after each test.
const minimal = { DATABASE_URL: "postgres://u:p@localhost:5432/db", AUTH_SECRET: "x".repeat(40), ENCRYPTION_KEY: "a".repeat(64) };
const saved = { ...process.env };
beforeEach(() => {
  Object.assign(process.env, minimal);
});
afterEach(() => {
  for (const k of [...Object.keys(minimal), "JOBS_MAX_IN_FLIGHT"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe("embedded executor settings", () => {
  it("a web process runs few runs at once (they share its event loop with the API); a worker runs more", () => {
    delete process.env.JOBS_MAX_IN_FLIGHT;
    expect(embeddedWorkerSettings("web").maxInFlight).toBe(4);
    expect(embeddedWorkerSettings("worker").maxInFlight).toBe(16);
  });

  it("JOBS_MAX_IN_FLIGHT sets both", () => {
    process.env.JOBS_MAX_IN_FLIGHT = "9";
    expect(embeddedWorkerSettings("web").maxInFlight).toBe(9);
    expect(embeddedWorkerSettings("worker").maxInFlight).toBe(9);
    process.env.JOBS_MAX_IN_FLIGHT = "0";
    expect(() => embeddedWorkerSettings("web")).toThrow(/JOBS_MAX_IN_FLIGHT/);
  });
});
