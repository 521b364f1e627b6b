import { inngest } from "../client";
import { catalogSyncRequested } from "@/server/outbox/events";
import { syncCatalog } from "@/server/catalog/sync";
import { reconcileWithVendor, recordLedgerConsistency, redriveStuckOrders } from "@/server/orders/maintenance";
import { orderRuntime } from "@/server/orders/runtime";
import { deleteOldRequestLogs } from "@/server/requestlog/writer";
import { env } from "@/lib/env";

/** Catalog sync: hourly, and whenever an admin asks (`catalog/sync.requested`). One at a time. */
export const catalogSync = inngest.createFunction(
  {
    id: "catalog-sync",
    name: "Sync vendor catalog",
    triggers: [{ cron: "TZ=UTC 0 * * * *" }, catalogSyncRequested],
    retries: 3,
    concurrency: [{ limit: 1 }],
  },
  async ({ step }) => {
    return step.run("sync", async () => {
      const rt = orderRuntime();
      return syncCatalog(rt.db, rt.vendorFor("live").catalogPages());
    });
  },
);

/** Backfill: every 5 minutes, re-drive orders stuck in pending/processing for 30 minutes. */
export const backfillOrders = inngest.createFunction(
  { id: "orders-backfill", name: "Re-drive stuck orders", triggers: [{ cron: "TZ=UTC */5 * * * *" }], retries: 2 },
  async ({ step }) => {
    const ids = await step.run("redrive", () => redriveStuckOrders(orderRuntime().db, { staleAfterMs: 30 * 60_000 }));
    return { redriven: ids.length };
  },
);

/** Reconciliation: hourly, our finished orders of the last 24 h against the vendor's. */
export const reconcileOrders = inngest.createFunction(
  { id: "orders-reconcile", name: "Reconcile orders with the vendor", triggers: [{ cron: "TZ=UTC 30 * * * *" }], retries: 2 },
  async ({ step }) =>
    step.run("reconcile", () => reconcileWithVendor(orderRuntime(), { since: new Date(Date.now() - 24 * 3600_000) })),
);

/** Ledger consistency: hourly; drift is recorded and raised to admins. */
export const ledgerConsistency = inngest.createFunction(
  { id: "ledger-consistency", name: "Check ledger consistency", triggers: [{ cron: "TZ=UTC 15 * * * *" }], retries: 2 },
  async ({ step }) =>
    step.run("check", async () => {
      const r = await recordLedgerConsistency(orderRuntime().db);
      return { id: r.id, ok: r.ok, driftAccounts: r.drift.length };
    }),
);

/** Request-log retention: daily, deletes partner API logs older than REQUEST_LOG_RETENTION_DAYS. */
export const requestLogRetention = inngest.createFunction(
  { id: "request-log-retention", name: "Delete old request logs", triggers: [{ cron: "TZ=UTC 20 3 * * *" }], retries: 2 },
  async ({ step }) =>
    step.run("delete", async () => ({ deleted: await deleteOldRequestLogs(orderRuntime().db, env().REQUEST_LOG_RETENTION_DAYS) })),
);
