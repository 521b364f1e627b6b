/**
 * Workers apart from the web process (issue 13, item 5). This test process plays the web process
 * with JOBS_EXECUTOR=off: its jobs start-up (`startJobs({ role: "web" })`, what `npm start` and
 * `npm run dev` call) and its route handlers, on a fresh database. `npm run worker`
 * (scripts/worker.ts) runs as a real separate process on the same database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as healthRoute from "@/app/api/health/route";
import * as orderRoute from "@/app/api/v1/orders/[id]/route";
import * as ordersRoute from "@/app/api/v1/orders/route";
import { syncCatalog } from "@/server/catalog/sync";
import { startJobs } from "@/server/jobs";
import { createApiKey } from "@/server/keys";
import { checkInvariants, grantSandboxFunds } from "@/server/ledger";
import { createBambooClient } from "@/server/supplier/bamboo";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";
import { startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";
import { RANGED_USD } from "../support/order-engine";
import { waitFor } from "../support/wait";

// Read by this process's env() on first use: the web process of a split deployment.
process.env.JOBS_EXECUTOR = "off";
process.env.MOCK_VENDOR_FULFIL_MS = "0";

let t: TestDatabase;
let vendor: MockVendorServer;
let key: string;
let web: Awaited<ReturnType<typeof startJobs>>;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "steller-worker-"));

beforeAll(async () => {
  t = await createTestDatabase(10);
  bindAppDatabase(t);
  // The catalog the partner orders from (synced once here; the worker's own sync cron may run too).
  vendor = await startMockVendorServer(t.db, {});
  await syncCatalog(t.db, createBambooClient(t.db, vendor.clientConfig({ limits: { catalogMs: 0, otherMs: 0 } })).catalogPages());
  const partnerId = await makePartner(t.db, "Split Deployment Partner");
  await grantSandboxFunds(t.db, partnerId);
  ({ secret: key } = await createApiKey(t.db, { partnerId, environment: "sandbox", name: "test", actor: "test" }));
  web = await startJobs({ db: t.db, role: "web" });
});
afterAll(async () => {
  await web?.stop();
  await vendor?.close();
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function placeOrder(referenceId: string): Promise<string> {
  const r = await call(ordersRoute.POST, "/api/v1/orders", { key, body: { sku: RANGED_USD, faceValue: "5.00", quantity: 1, referenceId } });
  expect(r.status).toBe(202);
  return r.json.id as string;
}
const orderStatus = async (id: string) => (await call(orderRoute.GET, `/api/v1/orders/${id}`, { key, params: { id } })).json.status as string;

function startWorker(): { child: ChildProcess; output: () => string; exited: Promise<number | string> } {
  let out = "";
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["scripts/worker.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      STELLER_DATA_DIR: dataDir,
      JOBS_EXECUTOR: "off", // the worker runs the executor whatever the web processes' setting
      // Another process of the deployment, at another address: the orders the web side opened
      // batches for must still be placed and polled under the same vendor account.
      PORT: "3977",
      APP_URL: "http://127.0.0.1:3977",
      JOBS_STOP_TIMEOUT_MS: "5000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  return { child, output: () => out, exited };
}

describe("web process with JOBS_EXECUTOR=off and `npm run worker`", () => {
  it("with no worker running, an order stays pending and health says the executor is off here", async () => {
    expect(web).toMatchObject({ mode: "embedded", executor: false });
    const id = await placeOrder("split-none-1");
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await orderStatus(id)).toBe("pending");
    const [{ runs }] = (await t.sql`select count(*)::int as runs from job_runs`) as unknown as [{ runs: number }];
    expect(runs).toBe(0); // nothing even turned the outbox event into a run
    const health = await call(healthRoute.GET, "/api/health");
    expect(health.json.jobs).toEqual({ mode: "embedded", worker: "off" });
  });

  it("a separate worker process completes the waiting order and a new one, then stops cleanly on SIGTERM", async () => {
    const worker = startWorker();
    try {
      await waitFor(
        "the worker to start",
        async () => worker.output().includes("running the embedded executor") || worker.child.exitCode !== null,
        60_000,
        100,
      );
      expect(worker.output()).toContain("no HTTP server");
      const [waiting] = await t.sql<{ id: string }[]>`select id from orders where reference_id = 'split-none-1'`;
      const fresh = await placeOrder("split-worker-1");
      for (const id of [waiting!.id, fresh]) {
        await waitFor(`order ${id} to complete in the worker`, async () => (await orderStatus(id)) === "completed", 30_000, 200);
      }
      // The web process still runs no executor of its own.
      expect((await call(healthRoute.GET, "/api/health")).json.jobs).toEqual({ mode: "embedded", worker: "off" });
    } finally {
      worker.child.kill("SIGTERM");
    }
    const code = await Promise.race([worker.exited, new Promise((r) => setTimeout(() => r("no exit within 20 s"), 20_000))]);
    expect(code, worker.output()).toBe(0);
    expect(worker.output()).toContain("SIGTERM: stopping the worker");
    expect(worker.output()).toContain("Stopped.");
    expect((await checkInvariants(t.db)).ok).toBe(true);
  }, 120_000);
});
