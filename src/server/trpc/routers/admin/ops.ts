import { listCatalogSyncRuns, requestCatalogSync } from "@/server/catalog/admin";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { adminProcedure, router } from "../../init";

/** Operations: job runs, run now, cancel, alerts, vendor mode. */
export const adminOpsRouter = router({
  /** Which vendor live orders reach: dashboards warn when it is the mock. */
  system: adminProcedure.query(() => ({ liveVendor: liveVendorIsMock() ? ("mock" as const) : ("bamboo" as const) })),
  catalogSyncRuns: adminProcedure.query(({ ctx }) => listCatalogSyncRuns(ctx.db)),
  runCatalogSync: adminProcedure.mutation(({ ctx }) => requestCatalogSync(ctx.db, ctx.user.id)),
});
