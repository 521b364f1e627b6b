import { execSync } from "node:child_process";
import fs from "node:fs";
import { ensureChromium } from "./lib-chromium";

/**
 * Browser tests: a production build served by `next start` on a fresh embedded database, and
 * (e2e/dev-server.spec.ts) a fresh `npm run dev` that the spec starts and stops itself.
 */
const chromium = ensureChromium();
fs.rmSync(".data/e2e", { recursive: true, force: true });
if (!process.env.E2E_SKIP_BUILD) execSync("npx next build", { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
execSync("npx playwright test", { stdio: "inherit", env: { ...process.env, CHROMIUM_PATH: chromium } });
