import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { env, inngestMode } from "@/lib/env";
import { acknowledgeAlert, listAlerts } from "@/server/alerts";
import { listConsistencyChecks, listReconciliationFindings, resolveReconciliationFinding } from "@/server/alerts/findings";
import { recordAudit } from "@/server/audit";
import { listCatalogSyncRuns, requestCatalogSync } from "@/server/catalog/admin";
import { cancelRun, getRun, listRuns, rerunFailedRun } from "@/server/jobs";
import { functions } from "@/server/jobs/functions";
import { describeJobFunctions } from "@/server/jobs/runs";
import { enqueueEvent } from "@/server/outbox";
import { RUNNABLE_JOBS } from "@/server/outbox/events";
import { statusReport } from "@/server/status";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { adminProcedure, router } from "../../init";

const id = z.string().min(1).max(64);
const note = z.string().trim().max(500).optional();

/** Operations: job runs, run now, cancel, alerts, vendor mode. */
export const adminOpsRouter = router({
  /** Which vendor live orders reach (dashboards warn when it is the mock) and who runs the jobs. */
  system: adminProcedure.query(() => {
    let jobs: "embedded" | "server" = "embedded";
    let inngestUrl: string | null = null;
    try {
      const e = env();
      jobs = inngestMode(e);
      if (jobs === "server") inngestUrl = e.INNGEST_DEV ? (e.INNGEST_BASE_URL ?? "http://localhost:8288") : "https://app.inngest.com";
    } catch {
      // Tests without a full environment: the embedded executor.
    }
    return { liveVendor: liveVendorIsMock() ? ("mock" as const) : ("bamboo" as const), jobs, inngestUrl };
  }),
  catalogSyncRuns: adminProcedure.query(({ ctx }) => listCatalogSyncRuns(ctx.db)),
  runCatalogSync: adminProcedure.mutation(({ ctx }) => requestCatalogSync(ctx.db, ctx.user.id)),

  /** Every Inngest function and cron with its latest runs and counts. */
  functions: adminProcedure
    .input(z.object({ recent: z.number().int().min(1).max(20).optional() }).optional())
    .query(({ ctx, input }) => describeJobFunctions(ctx.db, functions, { recentPerFunction: input?.recent ?? 5 })),
  runs: adminProcedure
    .input(
      z
        .object({
          functionId: z.string().max(100).optional(),
          status: z.enum(["queued", "running", "sleeping", "completed", "failed", "cancelled"]).optional(),
          limit: z.number().int().min(1).max(100).optional(),
          cursor: z.string().max(64).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) =>
      listRuns(ctx.db, { functionId: input?.functionId, status: input?.status, limit: input?.limit ?? 25, startingAfter: input?.cursor }),
    ),
  run: adminProcedure.input(z.object({ runId: id })).query(async ({ ctx, input }) => {
    const run = await getRun(ctx.db, input.runId);
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "No such run." });
    return run;
  }),
  /** Runs a cron job now (its event), audited with the request. */
  runNow: adminProcedure.input(z.object({ job: z.enum([...RUNNABLE_JOBS, "catalog-sync"]) })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const eventId =
        input.job === "catalog-sync"
          ? (await requestCatalogSync(tx, ctx.user.id)).eventId
          : (await enqueueEvent(tx, { name: "ops/run.requested", data: { function: input.job, requestedBy: ctx.user.id } }))[0]!;
      await recordAudit(tx, {
        actor: ctx.user.id,
        action: "ops.run_requested",
        targetType: "job",
        targetId: input.job,
        metadata: { eventId },
        ip: clientIpFrom(ctx.headers),
      });
      return { eventId };
    }),
  ),
  /** Cancels a queued, sleeping or running run (a running one stops at its next step). */
  cancelRun: adminProcedure.input(z.object({ runId: id, reason: note })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const r = await cancelRun(tx, input.runId);
      if (!r.ok) {
        throw new TRPCError(
          r.reason === "not_found"
            ? { code: "NOT_FOUND", message: "No such run." }
            : { code: "CONFLICT", message: `This run is ${r.status}: only queued, sleeping or running runs can be cancelled.` },
        );
      }
      await recordAudit(tx, {
        actor: ctx.user.id,
        action: "ops.run_cancelled",
        targetType: "job_run",
        targetId: input.runId,
        reason: input.reason ?? null,
        after: { status: "cancelled" },
        ip: clientIpFrom(ctx.headers),
      });
      return { ok: true as const };
    }),
  ),
  /** Runs a failed run's function again with the same event. */
  rerun: adminProcedure.input(z.object({ runId: id })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const r = await rerunFailedRun(tx, input.runId);
      if (!r.ok) {
        throw new TRPCError(
          r.reason === "not_found" ? { code: "NOT_FOUND", message: "No such run." } : { code: "CONFLICT", message: "Only a failed run can be run again." },
        );
      }
      await recordAudit(tx, {
        actor: ctx.user.id,
        action: "ops.run_rerun",
        targetType: "job_run",
        targetId: input.runId,
        after: { runId: r.runId },
        ip: clientIpFrom(ctx.headers),
      });
      return { runId: r.runId };
    }),
  ),

  reconciliation: adminProcedure
    .input(z.object({ state: z.enum(["open", "all"]).optional() }).optional())
    .query(({ ctx, input }) => listReconciliationFindings(ctx.db, { state: input?.state })),
  resolveFinding: adminProcedure.input(z.object({ findingId: id, reason: z.string().trim().min(3).max(500) })).mutation(async ({ ctx, input }) => {
    const r = await resolveReconciliationFinding(ctx.db, { ...input, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) });
    if (!r.ok)
      throw new TRPCError(r.reason === "not_found" ? { code: "NOT_FOUND", message: "No such finding." } : { code: "CONFLICT", message: "Already resolved." });
    return r;
  }),
  consistency: adminProcedure.query(({ ctx }) => listConsistencyChecks(ctx.db)),

  alerts: adminProcedure
    .input(z.object({ state: z.enum(["open", "unacknowledged", "all"]).optional() }).optional())
    .query(({ ctx, input }) => listAlerts(ctx.db, { state: input?.state })),
  acknowledgeAlert: adminProcedure.input(z.object({ alertId: id, note })).mutation(async ({ ctx, input }) => {
    const r = await acknowledgeAlert(ctx.db, { alertId: input.alertId, note: input.note, actor: ctx.user.id, ip: clientIpFrom(ctx.headers) });
    if (!r.ok)
      throw new TRPCError(r.reason === "not_found" ? { code: "NOT_FOUND", message: "No such alert." } : { code: "CONFLICT", message: "Already acknowledged." });
    return r.alert;
  }),
  /** The public status as admins see it (same report as /status). */
  status: adminProcedure.query(({ ctx }) => statusReport(ctx.db)),
});
