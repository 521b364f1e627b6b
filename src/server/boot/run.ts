import { inngestMode } from "@/lib/env";
import { closeDatabases, getJobsDatabase } from "@/server/db/client";
import { startJobs } from "@/server/jobs";
import { closeRateLimitRedis } from "@/server/rest/rate-limit-redis";
import { startHttpServer } from "./http";
import { bootProcess } from "./process";
import { buildServices, type ServiceOverrides, type Services } from "./services";
import { currentCode, otpauthUrl } from "@/server/auth/totp";
import { DEMO_CREDENTIALS, seedDemoSandbox, seedDevelopment } from "./seed";

/**
 * Starts Steller in one process: local pieces if unconfigured, migrations, the dev seed,
 * then the HTTP server. Ctrl-C (or SIGTERM) stops the server and then PostgreSQL cleanly.
 */
export async function runApp(opts: { dev: boolean; services?: ServiceOverrides }): Promise<void> {
  const { env, local, dataDir, services } = await bootProcess(opts);
  const seeded = opts.dev || env.STELLER_LOCAL;
  let demo: { sandboxKey: string | null } = { sandboxKey: null };
  if (seeded) {
    await seedDevelopment(services.db, env.ENCRYPTION_KEY);
    demo = await seedDemoSandbox(services.db, dataDir);
  }

  const hostname = process.env.HOSTNAME ?? "localhost";
  const http = await startHttpServer({ dev: opts.dev, port: env.PORT, hostname, trustedProxyHops: env.TRUSTED_PROXY_HOPS });
  // Background work: the embedded worker, or the outbox relay to an Inngest server. JOBS_EXECUTOR=off:
  // separate `npm run worker` processes run the executor, this one serves HTTP only. The executor
  // here runs on a pool of its own (getJobsDatabase; connections open only when used), so its steps
  // never hold the connections API requests wait for.
  const jobsDb = getJobsDatabase().db;
  let jobServices: Services | undefined;
  const servicesForJobs = () =>
    (jobServices ??= buildServices(jobsDb, { settings: env, ...opts.services, requestLog: services.requestLog, tokenLeases: services.tokenLeases }));
  const jobs = await startJobs({ db: jobsDb, role: "web", worker: { services: servicesForJobs } });
  const executorOff = jobs.mode === "embedded" && !jobs.executor;

  const url = env.APP_URL ?? `http://localhost:${env.PORT}`;
  const lines = [
    `Steller ${opts.dev ? "development" : "production"} server ready at ${url}`,
    `  database:   ${local.embedded ? "embedded PostgreSQL" : "DATABASE_URL"}`,
    `  jobs:       Inngest ${inngestMode(env)} mode${executorOff ? " (JOBS_EXECUTOR=off: no executor in this process; run `npm run worker`)" : ""}`,
    `  rate limit: ${env.REDIS_URL ? "Redis (REDIS_URL), Postgres as fallback" : "Postgres"}`,
    ...(opts.dev
      ? [`  mailbox:    ${url}/admin/mailbox (the dev mailbox, admins: every email sent${env.SMTP_URL ? ", also delivered via SMTP_URL" : ""})`]
      : []),
    ...(env.WEBHOOK_ALLOW_PRIVATE_TARGETS ? ["  webhooks:   private/loopback targets allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS=true)"] : []),
    ...local.notes.map((n) => `  note:       ${n}`),
  ];
  if (seeded) {
    lines.push(
      `  admin:      ${DEMO_CREDENTIALS.admin.email} / ${DEMO_CREDENTIALS.admin.password}`,
      `  admin 2FA:  TOTP secret ${DEMO_CREDENTIALS.admin.totpSecret} (code now: ${currentCode(DEMO_CREDENTIALS.admin.totpSecret)}; any code: npm run admin:code)`,
      `              ${otpauthUrl(DEMO_CREDENTIALS.admin.totpSecret, DEMO_CREDENTIALS.admin.email)}`,
      `  partner:    ${DEMO_CREDENTIALS.partnerOwner.email} / ${DEMO_CREDENTIALS.partnerOwner.password}`,
      ...(demo.sandboxKey ? [`  sandbox key: ${demo.sandboxKey}  (curl -H "x-api-key: …" ${url}/api/v1/catalog)`] : []),
    );
  }
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  console.log(`\n${"=".repeat(width)}\n${lines.join("\n")}\n${"=".repeat(width)}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Steller…`);
    await http.close();
    await closeRateLimitRedis();
    await jobs.stop();
    await closeDatabases();
    await local.embedded?.stop();
    console.log("Stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
