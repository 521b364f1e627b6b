import { listCatalogSyncRuns, requestCatalogSync } from "@/server/catalog/admin";
import { listPartners } from "@/server/partners/queries";
import { liveVendorIsMock } from "@/server/vendor/bamboo";
import { adminProcedure, router } from "../init";

export const adminRouter = router({
  partners: adminProcedure.query(({ ctx }) => listPartners(ctx.db)),
  /** Which vendor live orders reach: dashboards warn when it is the mock. */
  system: adminProcedure.query(() => ({ liveVendor: liveVendorIsMock() ? ("mock" as const) : ("bamboo" as const) })),
  catalogSyncRuns: adminProcedure.query(({ ctx }) => listCatalogSyncRuns(ctx.db)),
  runCatalogSync: adminProcedure.mutation(({ ctx }) => requestCatalogSync(ctx.db, ctx.user.id)),
});
