import { spawnSync } from "node:child_process";
import { ensureRedisServer } from "./lib-redis";

/**
 * The whole suite, in order of speed: typecheck and the static checks (Biome, dependency-cruiser,
 * knip), unit, integration (real PostgreSQL), end-to-end (real Chromium against `next start`), then
 * the reduced resilience suite (load, crash, two instances, fuzzing, security). Stops at the first
 * failing layer; the static checks all run before it stops, so one run shows all their findings.
 */
const staticChecks: Array<[string, string[], string]> = [
  ["typecheck", ["npx", "tsc", "--noEmit"], "fix the type errors above"],
  [
    "Biome (lint + format)",
    ["npx", "biome", "ci", "."],
    "`npm run format` formats; `npx biome lint .` shows each finding (rules and why some are off: biome.jsonc)",
  ],
  [
    "dependency-cruiser (layers, no cycles)",
    ["npm", "run", "--silent", "depcruise", "--", "--output-type", "err"],
    "an import breaks a layer of ../shared/ARCHITECTURE.md or closes a cycle: each rule's reason is in .dependency-cruiser.cjs",
  ],
  [
    "knip (unused files, exports, dependencies)",
    ["npx", "knip", "--no-progress"],
    "delete what is unused, or declare the entry knip cannot see in knip.jsonc (with why)",
  ],
];

const steps: Array<[string, string[]]> = [
  ["unit + integration", ["npx", "vitest", "run"]],
  ["end-to-end", ["npx", "tsx", "scripts/e2e.ts"]],
  // Reduced size, against the build the end-to-end step just made.
  ["resilience (reduced)", ["npx", "tsx", "scripts/resilience.ts", "--reduced", "--dist", ".next"]],
];

// The Redis rate-limit tests start their own redis-server: find it (or, as root on Debian,
// install it) before anything runs, and hand its path to the test processes.
process.env.REDIS_SERVER_PATH = ensureRedisServer();

function run(name: string, [cmd, ...args]: string[]): boolean {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd!, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✖ ${name} failed after ${seconds}s`);
    return false;
  }
  console.log(`✔ ${name} passed in ${seconds}s`);
  return true;
}

const failed = staticChecks.filter(([name, command]) => !run(name, command));
if (failed.length > 0) {
  console.error(`\n✖ static checks failed:\n${failed.map(([name, , hint]) => `  - ${name}: ${hint}`).join("\n")}`);
  process.exit(1);
}

for (const [name, command] of steps) {
  if (!run(name, command)) process.exit(1);
}
