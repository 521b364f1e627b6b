import { describe, expect, it } from "vitest";
import { EnvError, inngestMode, loadEnv } from "@/lib/env";

const valid = {
  DATABASE_URL: "postgres://u:p@localhost:5432/db",
  AUTH_SECRET: "x".repeat(40),
  ENCRYPTION_KEY: "a".repeat(64),
};

function problems(source: Record<string, string | undefined>): string[] {
  try {
    loadEnv(source);
    return [];
  } catch (e) {
    if (e instanceof EnvError) return e.problems;
    throw e;
  }
}

describe("environment validation", () => {
  it("accepts a minimal valid environment with defaults", () => {
    const env = loadEnv(valid);
    expect(env.PORT).toBe(3000);
    expect(inngestMode(env)).toBe("embedded");
  });

  it("names a missing variable", () => {
    expect(problems({ ...valid, DATABASE_URL: undefined })).toEqual(["DATABASE_URL is required but not set"]);
  });

  it("names each wrong variable with what is wrong", () => {
    const p = problems({ ...valid, DATABASE_URL: "mysql://x", PORT: "99999", ENCRYPTION_KEY: "short" });
    expect(p.some((m) => m.startsWith("DATABASE_URL: must be a postgres://"))).toBe(true);
    expect(p.some((m) => m.startsWith("PORT"))).toBe(true);
    expect(p.some((m) => m.startsWith("ENCRYPTION_KEY: must be 64 hex"))).toBe(true);
  });

  it("requires INNGEST_BASE_URL with INNGEST_DEV and then selects the server mode", () => {
    expect(problems({ ...valid, INNGEST_DEV: "1" })[0]).toMatch(/^INNGEST_BASE_URL/);
    expect(inngestMode(loadEnv({ ...valid, INNGEST_DEV: "1", INNGEST_BASE_URL: "http://127.0.0.1:8288" }))).toBe("server");
    expect(inngestMode(loadEnv({ ...valid, INNGEST_SIGNING_KEY: "signkey-prod-abc" }))).toBe("server");
  });
});

describe("REDIS_URL", () => {
  it("is optional, and empty means unset", () => {
    expect(loadEnv(valid).REDIS_URL).toBeUndefined();
    expect(loadEnv({ ...valid, REDIS_URL: "" }).REDIS_URL).toBeUndefined();
    expect(loadEnv({ ...valid, REDIS_URL: "rediss://:pw@redis.internal:6380/2" }).REDIS_URL).toBe("rediss://:pw@redis.internal:6380/2");
  });

  it("names the variable when it is not a redis:// or rediss:// URL, without echoing it", () => {
    for (const bad of ["http://:hunter2@redis.internal:6379", "redis://", "redis:/x", "localhost:6379"]) {
      const p = problems({ ...valid, REDIS_URL: bad });
      expect(p).toHaveLength(1);
      expect(p[0]).toMatch(/^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
      expect(p[0]).not.toContain("hunter2");
    }
  });
});

describe(".env.example", () => {
  it("documents every variable the app reads", async () => {
    const { readFileSync } = await import("node:fs");
    const example = readFileSync(".env.example", "utf8");
    const { envSchema } = await import("@/lib/env");
    const shape = (envSchema as unknown as { _zod: { def: { in?: { shape: object }; shape?: object } } })._zod.def;
    const names = Object.keys(shape.in?.shape ?? shape.shape ?? {});
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !new RegExp(`^#? ?${n}=`, "m").test(example))).toEqual([]);
  });
});
