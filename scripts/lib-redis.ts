import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const CANDIDATES = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server"];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds a `redis-server` for the Redis rate-limit tests (they start their own server on a free
 * port): REDIS_SERVER_PATH, `redis-server` on PATH or in the usual places, or Debian's
 * `redis-server` package installed with apt when running as root on Debian. Otherwise it throws
 * and says how to get one.
 */
export function ensureRedisServer(): string {
  const fromEnv = process.env.REDIS_SERVER_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`REDIS_SERVER_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const found = onPath("redis-server") ?? CANDIDATES.find((p) => fs.existsSync(p));
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && fs.existsSync("/etc/debian_version")) {
    console.log("No redis-server found: installing Debian's redis-server package (apt-get)…");
    // The package may start its own service on port 6379; the tests do not use it.
    execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server", { stdio: "inherit" });
    const installed = onPath("redis-server") ?? CANDIDATES.find((p) => fs.existsSync(p));
    if (installed) return installed;
  }
  throw new Error(
    "No redis-server found for the Redis rate-limit tests. Install one (Debian/Ubuntu: `sudo apt-get install redis-server`; " +
      "macOS: `brew install redis`) or set REDIS_SERVER_PATH to its executable.",
  );
}
