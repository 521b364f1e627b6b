import type { TestProject } from "vitest/node";
import { startLocalPostgres } from "@/server/db/embedded";
import { runMigrations } from "@/server/db/migrate";

export const TEMPLATE_DB = "steller_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgBaseUrl: string;
  }
}

/**
 * One PostgreSQL server for the whole integration run (embedded, fresh each run, or the
 * server in TEST_DATABASE_URL), with a migrated template database every test file clones.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  // TEST_PG_PORT lets several test runs share one machine without touching each other.
  const port = Number(process.env.TEST_PG_PORT ?? 55433);
  const pg = external ? null : await startLocalPostgres({ dir: `.data/test-pg-${port}`, port, fresh: true });
  const baseUrl = external ?? pg!.baseUrl;
  const postgres = (await import("postgres")).default;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  await admin.end();
  await runMigrations(baseUrl.replace(/\/[^/]*$/, `/${TEMPLATE_DB}`));
  project.provide("pgBaseUrl", baseUrl);
  return async () => {
    await pg?.stop();
  };
}
