import path from "node:path";
import { defineConfig } from "vitest/config";

/** A run with the same PostgreSQL global setup as the integration tests, over one failing file. */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "../../../src") } },
  test: {
    root: path.resolve(import.meta.dirname, "../../.."),
    include: ["tests/support/probe/*.probe.ts"],
    globalSetup: ["tests/support/global-postgres.ts"],
  },
});
