import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

// `npm run dev` as a new user meets it: a fresh dev server (scripts/dev.ts, Turbopack, embedded
// PostgreSQL) on its own port and its own data directory. The other e2e files run against
// `next start`; this one exists because the dev server has failures of its own (a page that
// reloads itself, dev resources refused to 127.0.0.1).

const port = Number(process.env.E2E_DEV_PORT ?? 3211);
const pgPort = Number(process.env.E2E_DEV_PG_PORT ?? 55436);
const owner = { email: "owner@demo-partner.local", password: "steller-partner-demo" };
const OBSERVE_MS = 15_000;

let dev: ChildProcess | null = null;
let dataDir = "";
let output = "";

function killGroup(signal: NodeJS.Signals) {
  if (!dev?.pid) return;
  try {
    process.kill(-dev.pid, signal);
  } catch {
    // already gone
  }
}

test.describe.configure({ mode: "serial" });

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures from the first parameter, which must be a destructuring pattern
test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(180_000);
  // Outside the project, like the default data directory; readable by the `postgres` user
  // that the embedded PostgreSQL runs as when we are root.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "steller-e2e-dev-"));
  fs.chmodSync(dataDir, 0o755);
  dev = spawn(path.resolve("node_modules/.bin/tsx"), ["scripts/dev.ts"], {
    detached: true, // its own process group, so nothing it started outlives the test
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "development",
      PORT: String(port),
      STELLER_DATA_DIR: dataDir,
      STELLER_PG_PORT: String(pgPort),
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  dev.stdout!.on("data", (d) => (output += String(d)));
  dev.stderr!.on("data", (d) => (output += String(d)));
  process.once("exit", () => killGroup("SIGKILL"));

  const deadline = Date.now() + 150_000;
  for (;;) {
    if (dev.exitCode !== null) throw new Error(`npm run dev exited with ${dev.exitCode}:\n${output}`);
    const ok = await fetch(`http://localhost:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`npm run dev did not answer /api/health within 150 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
});

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures from the first parameter, which must be a destructuring pattern
test.afterAll(async ({}, testInfo) => {
  testInfo.setTimeout(30_000);
  if (dev?.pid && dev.exitCode === null) {
    const exited = new Promise((r) => dev!.once("exit", r));
    killGroup("SIGINT"); // the app stops its server and PostgreSQL cleanly
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    killGroup("SIGKILL");
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test("a page left open under npm run dev loads once and stays put for 15 s", async ({ page }) => {
  test.setTimeout(120_000);
  let loads = 0;
  page.on("load", () => loads++);
  // Why the dev client reloaded, as the HMR socket told it (reloadPage, a Turbopack "restart").
  const reasons: string[] = [];
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      const text = String(payload);
      if (/"reloadPage"|"type":"restart"/.test(text) && reasons.length < 6) reasons.push(text.slice(0, 200));
    }),
  );
  await page.goto(`http://localhost:${port}/login`);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible({ timeout: 60_000 });
  const from = output.length;
  const typed = "owner@demo-partner.local";
  await page.getByLabel("Email").fill(typed);
  await page.waitForTimeout(OBSERVE_MS);
  const compiled = output.slice(from).match(/Compiled in \S+/g) ?? [];
  expect(
    loads,
    `page loads in ${OBSERVE_MS / 1000} s; dev server meanwhile: ${compiled.join(", ") || "no compile"}; HMR told the page: ${reasons.join(" | ") || "nothing"}`,
  ).toBe(1);
  // A reload would also have wiped what the user typed.
  await expect(page.getByLabel("Email")).toHaveValue(typed);
});

test("opened at 127.0.0.1, the dashboard hydrates (dev resources are not refused)", async ({ page }) => {
  test.setTimeout(150_000);
  const base = `http://127.0.0.1:${port}`;
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${base}/dashboard`, { timeout: 90_000 });
  // Client components fetch through tRPC once hydrated; without it they stay on "Loading…".
  await expect(page.getByTestId("wallet-sandbox-USD")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("Loading orders…")).toHaveCount(0, { timeout: 30_000 });
  expect(output).not.toContain("Blocked cross-origin request");
});
