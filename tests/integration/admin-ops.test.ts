import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";
import { raiseAlert } from "@/server/alerts";
import { consistencyChecks, jobRuns, reconciliationIssues } from "@/server/db/schema";
import { startEmbeddedWorker } from "@/server/jobs/executor/worker";
import { ledgerConsistency } from "@/server/jobs/functions/maintenance";
import { bindAppDatabase } from "../support/app";
import { codeOf, sessionCaller } from "../support/callers";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { testServices } from "../support/services";
import { waitFor } from "../support/wait";

/** admin.ops (issue 17 item 11): partner users get FORBIDDEN; admins list, run, cancel and acknowledge, each action audited once. */
let t: TestDatabase;
let adminId: string;
let ownerId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  adminId = (await makeUser(t.db, { admin: true })).id;
  const partnerId = await makePartner(t.db);
  ownerId = (await makeUser(t.db, { partnerId, role: "owner" })).id;
});
afterAll(async () => t?.close());

const audits = (targetId: string) => t.sql<{ action: string; actor_user_id: string; reason: string | null }[]>`
  select action, actor_user_id, reason from audit_log where target_id = ${targetId} order by at`;

async function queuedRun(functionId = "steller-orders-backfill", status: "queued" | "completed" = "queued") {
  const id = newId("run");
  await t.db.insert(jobRuns).values({ id, functionId, event: { name: "inngest/scheduled.timer", data: {} }, status, runAt: new Date(Date.now() + 3600_000) });
  return id;
}

describe("admin.ops", () => {
  it("refuses every procedure to a partner owner", async () => {
    const api = await sessionCaller(t.db, ownerId);
    const calls: [string, () => Promise<unknown>][] = [
      ["system", () => api.admin.ops.system()],
      ["functions", () => api.admin.ops.functions()],
      ["runs", () => api.admin.ops.runs()],
      ["run", () => api.admin.ops.run({ runId: "run_x" })],
      ["runNow", () => api.admin.ops.runNow({ job: "ledger-consistency" })],
      ["cancelRun", () => api.admin.ops.cancelRun({ runId: "run_x" })],
      ["rerun", () => api.admin.ops.rerun({ runId: "run_x" })],
      ["reconciliation", () => api.admin.ops.reconciliation()],
      ["resolveFinding", () => api.admin.ops.resolveFinding({ findingId: "rec_x", reason: "handled" })],
      ["consistency", () => api.admin.ops.consistency()],
      ["alerts", () => api.admin.ops.alerts()],
      ["acknowledgeAlert", () => api.admin.ops.acknowledgeAlert({ alertId: "alr_x" })],
      ["status", () => api.admin.ops.status()],
      ["catalogSyncRuns", () => api.admin.ops.catalogSyncRuns()],
      ["runCatalogSync", () => api.admin.ops.runCatalogSync()],
    ];
    for (const [name, call] of calls) expect([name, await codeOf(call())]).toEqual([name, "FORBIDDEN"]);
    expect(await codeOf((await sessionCaller(t.db, null)).admin.ops.functions())).toBe("UNAUTHORIZED");
  });

  it("lists every function and cron with its latest runs and the vendor mode", async () => {
    const runId = await queuedRun("steller-orders-backfill", "completed");
    const api = await sessionCaller(t.db, adminId);
    const fns = await api.admin.ops.functions();
    const slugs = fns.map((f) => f.slug);
    for (const s of ["order-fulfil", "catalog-sync", "orders-backfill", "orders-reconcile", "ledger-consistency", "partners-engagement", "ops-monitor"]) {
      expect(slugs).toContain(s);
    }
    const backfill = fns.find((f) => f.slug === "orders-backfill")!;
    expect(backfill.cron).toMatch(/\*\/5/);
    expect(backfill.events).toContain("ops/run.requested");
    expect(backfill.recent.map((r) => r.id)).toEqual([runId]);
    expect(backfill.counts.completed24h).toBe(1);
    expect((await api.admin.ops.run({ runId })).functionId).toBe("steller-orders-backfill");
    expect(await codeOf(api.admin.ops.run({ runId: "run_missing" }))).toBe("NOT_FOUND");
    expect((await api.admin.ops.system()).liveVendor).toMatch(/mock|bamboo/);
  });

  it("runs a cron job now: the ledger-consistency function runs on the event, the request audited once", async () => {
    const api = await sessionCaller(t.db, adminId);
    const { eventId } = await api.admin.ops.runNow({ job: "ledger-consistency" });
    const entries = await t.sql<{ action: string; target_id: string }[]>`select action, target_id from audit_log where action = 'ops.run_requested'`;
    expect(entries).toEqual([{ action: "ops.run_requested", target_id: "ledger-consistency" }]);
    const services = testServices(t);
    const worker = await startEmbeddedWorker({ db: t.db, services: () => services, functions: [ledgerConsistency], pollMs: 25 });
    try {
      const run = await waitFor("the consistency run", async () => {
        const [r] = await t.db.select().from(jobRuns).where(eq(jobRuns.eventId, eventId));
        return r?.status === "completed" ? r : null;
      });
      expect(run.functionId).toBe("steller-ledger-consistency");
      expect(await t.db.select().from(consistencyChecks)).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });

  it("cancels a queued run once (audited), refuses a finished one without an audit entry", async () => {
    const api = await sessionCaller(t.db, adminId);
    const runId = await queuedRun();
    await api.admin.ops.cancelRun({ runId, reason: "stuck behind a vendor outage" });
    expect((await t.db.select().from(jobRuns).where(eq(jobRuns.id, runId)))[0]!.status).toBe("cancelled");
    expect(await audits(runId)).toEqual([{ action: "ops.run_cancelled", actor_user_id: adminId, reason: "stuck behind a vendor outage" }]);
    expect(await codeOf(api.admin.ops.cancelRun({ runId }))).toBe("CONFLICT");
    const done = await queuedRun("steller-orders-backfill", "completed");
    expect(await codeOf(api.admin.ops.cancelRun({ runId: done }))).toBe("CONFLICT");
    expect(await audits(runId)).toHaveLength(1);
    expect(await audits(done)).toHaveLength(0);
  });

  it("acknowledges an alert once: who and when, audited; a second acknowledgement is refused and writes nothing", async () => {
    const api = await sessionCaller(t.db, adminId);
    const { id } = await raiseAlert(t.db, { cause: "test:ack", kind: "ledger_drift", severity: "critical", title: "Drift", detail: "2 accounts" });
    expect((await api.admin.ops.alerts({ state: "unacknowledged" })).map((a) => a.id)).toContain(id);
    const acked = await api.admin.ops.acknowledgeAlert({ alertId: id, note: "looking into it" });
    expect(acked.acknowledgedBy).toBe(adminId);
    expect(acked.acknowledgedAt).toBeInstanceOf(Date);
    expect((await api.admin.ops.alerts({ state: "unacknowledged" })).map((a) => a.id)).not.toContain(id);
    const open = (await api.admin.ops.alerts()).find((a) => a.id === id)!;
    expect(open.acknowledgedByName).toBeTruthy();
    expect(await codeOf(api.admin.ops.acknowledgeAlert({ alertId: id }))).toBe("CONFLICT");
    expect((await audits(id)).map((a) => a.action)).toEqual(["alert.raised", "alert.acknowledged"]);
  });

  it("lists reconciliation findings with their order and resolves one with a reason, audited once", async () => {
    const api = await sessionCaller(t.db, adminId);
    const findingId = newId("rec");
    await t.db.insert(reconciliationIssues).values({ id: findingId, orderId: "ord_x", kind: "vendor_missing", ourStatus: "completed", detail: "unknown" });
    expect((await api.admin.ops.reconciliation()).map((f) => f.id)).toEqual([findingId]);
    expect(await codeOf(api.admin.ops.resolveFinding({ findingId, reason: "" }))).toBe("BAD_REQUEST");
    await api.admin.ops.resolveFinding({ findingId, reason: "vendor confirmed by email" });
    expect(await api.admin.ops.reconciliation()).toEqual([]);
    expect(await codeOf(api.admin.ops.resolveFinding({ findingId, reason: "again" }))).toBe("CONFLICT");
    expect(await audits(findingId)).toEqual([{ action: "reconciliation.resolved", actor_user_id: adminId, reason: "vendor confirmed by email" }]);
    expect((await api.admin.ops.consistency()).checks.length).toBeGreaterThanOrEqual(0);
    expect((await api.admin.ops.status()).components.map((c) => c.id)).toEqual(["api", "fulfilment", "webhooks", "dashboard"]);
  });
});
