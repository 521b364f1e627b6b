import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The resilience suite (RESILIENCE.md): load with a failing vendor, crash recovery, two
 * instances on one database, fuzzing and the OWASP API Top 10 checks, against `next start`.
 *   npm run test:resilience                 full size (1,000 orders per scenario), prints the figures
 *   npx tsx scripts/resilience.ts --reduced  the reduced size run by `npm test`
 * Options: --dist <dir> (build folder, default .next-resilience), --seed <n>, -- <vitest args>.
 * The build is made when missing or older than the sources.
 */
const args = process.argv.slice(2);
const reduced = args.includes("--reduced");
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dist = opt("--dist") ?? process.env.NEXT_DIST_DIR ?? ".next-resilience";
const seed = opt("--seed") ?? process.env.RESILIENCE_SEED ?? "20261125";
const extra = args.includes("--") ? args.slice(args.indexOf("--") + 1) : [];
// API_VALIDATE_RESPONSES: the app processes (production builds, NODE_ENV=production) check every
// /api/v1 answer against its contract as under test, so a breach is a 500 the scenarios fail on.
const env = {
  ...process.env,
  NEXT_DIST_DIR: dist,
  NEXT_TELEMETRY_DISABLED: "1",
  RESILIENCE_SIZE: reduced ? "reduced" : "full",
  RESILIENCE_SEED: seed,
  API_VALIDATE_RESPONSES: "1",
};
const started = Date.now();

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

const buildId = path.join(dist, "BUILD_ID");
const sources = ["src", "public", "next.config.mjs", "package.json", "tsconfig.json"].filter((p) => fs.existsSync(p));
const stale = !fs.existsSync(buildId) || Math.max(...sources.map(newestMtime)) > fs.statSync(buildId).mtimeMs;
if (stale) {
  console.log(`▶ next build into ${dist}`);
  const b = spawnSync("npx", ["--yes", "next", "build"], { stdio: "inherit", env });
  if (b.status !== 0) process.exit(b.status ?? 1);
} else {
  console.log(`✔ ${dist} is newer than the sources: no build needed`);
}

const figures = path.resolve(".data/resilience-figures.json");
fs.rmSync(figures, { force: true });
console.log(`▶ resilience suite (${reduced ? "reduced" : "full"} size, seed ${seed})`);
const r = spawnSync("npx", ["vitest", "run", "--project", "resilience", ...extra], { stdio: "inherit", env });

if (fs.existsSync(figures)) {
  const all = JSON.parse(fs.readFileSync(figures, "utf8")) as Record<string, Record<string, unknown>>;
  console.log("\nFigures");
  for (const [scenario, f] of Object.entries(all)) {
    console.log(`\n  ${scenario}`);
    for (const [k, v] of Object.entries(f)) console.log(`    ${k.padEnd(28)} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  }
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\n${r.status === 0 ? "✔ resilience suite passed" : "✖ resilience suite FAILED"} in ${seconds}s`);
process.exit(r.status ?? 1);
