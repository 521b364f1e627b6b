import { spawnSync } from "node:child_process";
import { ensureRedisServer } from "./lib-redis";

/**
 * The whole suite, in order of speed: typecheck, unit, integration (real PostgreSQL),
 * end-to-end (real Chromium against `next start`), then the reduced resilience suite (load,
 * crash, two instances, fuzzing, security). Stops at the first failing layer.
 */
const steps: Array<[string, string[]]> = [
  ["typecheck", ["npx", "tsc", "--noEmit"]],
  ["unit + integration", ["npx", "vitest", "run"]],
  ["end-to-end", ["npx", "tsx", "scripts/e2e.ts"]],
  // Reduced size, against the build the end-to-end step just made.
  ["resilience (reduced)", ["npx", "tsx", "scripts/resilience.ts", "--reduced", "--dist", ".next"]],
];

// The Redis rate-limit tests start their own redis-server: find it (or, as root on Debian,
// install it) before anything runs, and hand its path to the test processes.
process.env.REDIS_SERVER_PATH = ensureRedisServer();

for (const [name, [cmd, ...args]] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd!, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✖ ${name} failed after ${seconds}s`);
    process.exit(r.status ?? 1);
  }
  console.log(`✔ ${name} passed in ${seconds}s`);
}
