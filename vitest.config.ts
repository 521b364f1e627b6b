import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname, "src") };
const testEnv = {
  NODE_ENV: "test" as const,
  AUTH_SECRET: "test-secret-test-secret-test-secret-0123456789",
  ENCRYPTION_KEY: `${"0".repeat(63)}1`,
  NEXT_TELEMETRY_DISABLED: "1",
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "src/**/*.test.ts"],
          env: testEnv,
          server: { deps: { inline: ["next-auth"] } },
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          env: testEnv,
          globalSetup: ["tests/support/global-postgres.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          server: { deps: { inline: ["next-auth"] } },
        },
      },
      {
        resolve: { alias },
        test: {
          name: "resilience",
          // Needs a production build and app processes: run through scripts/resilience.ts (which
          // sets RESILIENCE_SIZE), never as part of a plain `vitest run`.
          include: process.env.RESILIENCE_SIZE ? ["tests/resilience/**/*.test.ts"] : [],
          env: testEnv,
          // Scenarios start their own app processes and measure them: one file at a time.
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 300_000,
          server: { deps: { inline: ["next-auth"] } },
        },
      },
    ],
  },
});
