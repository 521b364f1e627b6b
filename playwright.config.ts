import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: "chromium",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "npx tsx scripts/start.ts",
    url: `http://localhost:${port}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(port),
      STELLER_DATA_DIR: ".data/e2e",
      STELLER_PG_PORT: String(Number(process.env.E2E_PG_PORT ?? 55434)),
      NEXT_TELEMETRY_DISABLED: "1",
      // The webhooks specs deliver to a receiver the test starts on 127.0.0.1.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
      // Every spec signs up its own partner, all from 127.0.0.1: more than the default 5 per address.
      SIGNUP_RATE_BURST: "100",
    },
  },
});
