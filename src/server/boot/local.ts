import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { envValue } from "@/lib/env";
import { startLocalPostgres, type LocalPostgres } from "@/server/db/embedded";
import { waitForDatabase } from "./wait-db";

const LOCAL_PG_PORT = 55432;

export interface LocalSetup {
  databaseUrl: string;
  embedded: LocalPostgres | null;
  notes: string[];
}

/**
 * Fills in what a laptop run needs and nobody configured: an embedded PostgreSQL under
 * `dataDir` when DATABASE_URL is unset, and development secrets kept in `dataDir` so that
 * sessions and encrypted data survive restarts. Real deployments set these variables.
 */
export async function prepareLocal(opts: { dataDir: string; port?: number; database?: string }): Promise<LocalSetup> {
  const notes: string[] = [];
  const pgPort = opts.port ?? Number(process.env.STELLER_PG_PORT ?? LOCAL_PG_PORT);
  let embedded: LocalPostgres | null = null;
  if (!process.env.DATABASE_URL) {
    embedded = await startLocalPostgres({ dir: path.join(opts.dataDir, "pg"), port: pgPort });
    // A server left from an earlier run may still be starting or shutting down on the port.
    await waitForDatabase(embedded.baseUrl, { timeoutMs: envValue("DATABASE_STARTUP_WAIT_MS"), log: (line) => console.log(line) });
    const name = opts.database ?? "steller";
    await embedded.createDatabase(name);
    process.env.DATABASE_URL = embedded.urlFor(name);
    process.env.STELLER_LOCAL = "true";
    notes.push(`embedded PostgreSQL on 127.0.0.1:${pgPort}, data in ${path.join(opts.dataDir, "pg")}`);
  }
  const local = Boolean(embedded) || process.env.NODE_ENV !== "production";
  if (local) {
    const secretsFile = path.join(opts.dataDir, "dev-secrets.json");
    let secrets: Record<string, string> = {};
    if (fs.existsSync(secretsFile)) secrets = JSON.parse(fs.readFileSync(secretsFile, "utf8")) as Record<string, string>;
    const generated: string[] = [];
    for (const [name, make] of [
      ["AUTH_SECRET", () => randomBytes(32).toString("base64url")],
      ["ENCRYPTION_KEY", () => randomBytes(32).toString("hex")],
    ] as const) {
      if (process.env[name]) continue;
      secrets[name] ??= make();
      process.env[name] = secrets[name];
      generated.push(name);
    }
    if (generated.length) {
      fs.mkdirSync(opts.dataDir, { recursive: true });
      fs.writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
      notes.push(`${generated.join(" and ")} not set: using development values from ${secretsFile} (set them in production)`);
    }
  }
  return { databaseUrl: process.env.DATABASE_URL!, embedded, notes };
}
