import { inngest } from "../client";
import { evaluateLedgerAlert, evaluateReconciliationAlert } from "@/server/alerts";
import { catalogSyncRequested, opsRunRequested } from "@/server/outbox/events";
import { syncCatalog } from "@/server/catalog/sync";
import { reconcileWithVendor, recordLedgerConsistency, redriveStuckOrders } from "@/server/orders/maintenance";
import { deleteOldRequestLogs } from "@/server/requestlog/writer";

/** Catalog sync: hourly, and whenever an admin asks (`catalog/sync.requested`). One at a time. */
export const catalogSync = inngest.createFunction(
  {
    id: "catalog-sync",
    name: "Sync vendor catalog",
    triggers: [{ cron: "TZ=UTC 0 * * * *" }, catalogSyncRequested],
    retries: 3,
    concurrency: [{ limit: 1 }],
  },
  async ({ step, services }) => {
    return step.run("sync", async () => syncCatalog(services.db, services.vendorFor("live").catalogPages()));
  },
);

/** Backfill: every 5 minutes, re-drive orders stuck in pending/processing for 30 minutes. */
export const backfillOrders = inngest.createFunction(
  {
    id: "orders-backfill",
    name: "Re-drive stuck orders",
    triggers: [{ cron: "TZ=UTC */5 * * * *" }, { event: opsRunRequested, if: "event.data.function == 'orders-backfill'" }],
    retries: 2,
  },
  async ({ step, services }) => {
    const ids = await step.run("redrive", () => redriveStuckOrders(services.db, { staleAfterMs: 30 * 60_000 }));
    return { redriven: ids.length };
  },
);

/** Reconciliation: hourly, our finished orders of the last 24 h against the vendor's. */
export const reconcileOrders = inngest.createFunction(
  {
    id: "orders-reconcile",
    name: "Reconcile orders with the vendor",
    triggers: [{ cron: "TZ=UTC 30 * * * *" }, { event: opsRunRequested, if: "event.data.function == 'orders-reconcile'" }],
    retries: 2,
  },
  async ({ step, services }) => {
    const result = await step.run("reconcile", () => reconcileWithVendor(services.orders, { since: new Date(Date.now() - 24 * 3600_000) }));
    // Open findings raise (or keep) the admin alert; none left resolves it.
    await step.run("alert", () => evaluateReconciliationAlert(services.db));
    return result;
  },
);

/** Ledger consistency: hourly; drift is recorded and raised to admins. */
export const ledgerConsistency = inngest.createFunction(
  {
    id: "ledger-consistency",
    name: "Check ledger consistency",
    triggers: [{ cron: "TZ=UTC 15 * * * *" }, { event: opsRunRequested, if: "event.data.function == 'ledger-consistency'" }],
    retries: 2,
  },
  async ({ step, services }) =>
    step.run("check", async () => {
      const r = await recordLedgerConsistency(services.db);
      // Drift raises (or keeps) the admin alert; a clean check resolves it. In the same step: one step per check.
      await evaluateLedgerAlert(services.db);
      return { id: r.id, ok: r.ok, driftAccounts: r.drift.length };
    }),
);

/** Request-log retention: daily, deletes partner API logs older than REQUEST_LOG_RETENTION_DAYS. */
export const requestLogRetention = inngest.createFunction(
  { id: "request-log-retention", name: "Delete old request logs", triggers: [{ cron: "TZ=UTC 20 3 * * *" }], retries: 2 },
  async ({ step, services }) =>
    step.run("delete", async () => ({ deleted: await deleteOldRequestLogs(services.db, services.settings.REQUEST_LOG_RETENTION_DAYS) })),
);
