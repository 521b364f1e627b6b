import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Where a laptop run keeps its embedded PostgreSQL and development secrets when STELLER_DATA_DIR
 * is unset: one directory per checkout, **outside the project**. Inside it (the old `.data/`),
 * the dev server's file watching could see the database files — Tailwind's source scanning and
 * Turbopack's watchers only skip what .gitignore names — and an open page reloaded itself about
 * twice a second. Outside the project no watcher, editor or glob ever meets them.
 *
 * `$XDG_DATA_HOME` if set, else the platform's per-user data folder; as root, `/var/lib`, because
 * the embedded PostgreSQL then runs as the `postgres` user, who cannot enter `/root`.
 */
export function defaultDataDir(projectDir = process.cwd()): string {
  const project = path.resolve(projectDir);
  const name = path.basename(project).replace(/[^A-Za-z0-9._-]/g, "_") || "project";
  const hash = createHash("sha256").update(project).digest("hex").slice(0, 8);
  return path.join(dataHome(), "steller", `${name}-${hash}`);
}

function dataHome(): string {
  if (process.env.XDG_DATA_HOME) return process.env.XDG_DATA_HOME;
  if (process.platform === "win32") return process.env.LOCALAPPDATA ?? path.join(os.homedir(), "AppData", "Local");
  if (process.getuid?.() === 0) return "/var/lib";
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Application Support");
  return path.join(os.homedir(), ".local", "share");
}

/** The data directory of checkouts from before the default moved (still used if STELLER_DATA_DIR=.data). */
export const LEGACY_DATA_DIR = ".data";

/**
 * Notes for the banner about the data directory: a database left in the old `.data/` that is no
 * longer used, and a data directory placed inside the project where the dev server may see it.
 */
export function dataDirNotes(dataDir: string, projectDir = process.cwd()): string[] {
  const notes: string[] = [];
  const project = path.resolve(projectDir);
  const legacy = path.join(project, LEGACY_DATA_DIR);
  const dir = path.resolve(dataDir);
  if (dir !== legacy && fs.existsSync(path.join(legacy, "pg", "PG_VERSION"))) {
    notes.push(
      `an older database in ${path.join(legacy, "pg")} is no longer used (the data directory moved out of the project); ` +
        `STELLER_DATA_DIR=.data keeps using it, or delete ${legacy} (see README)`,
    );
  }
  if (dir === project || dir.startsWith(project + path.sep)) {
    notes.push(`data directory ${dir} is inside the project: under npm run dev keep it git-ignored, or a page may reload itself whenever the watcher sees it`);
  }
  return notes;
}

/**
 * As root, the embedded PostgreSQL runs as `postgres`: every parent of its data directory must
 * let others through. Says which one does not, instead of initdb's "permission denied".
 */
export function assertPostgresCanReach(dir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    if (fs.existsSync(d) && (fs.statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the postgres user, who cannot enter ${d} (mode ${(fs.statSync(d).mode & 0o777).toString(8)}). ` +
          `Set STELLER_DATA_DIR to a directory whose parents all allow others to pass (e.g. under /var/lib or /tmp).`,
      );
    }
    if (path.dirname(d) === d) return;
  }
}
