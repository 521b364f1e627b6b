import { router } from "../../init";
import { adminAgencyRouter } from "./agency";
import { adminAuditRouter } from "./audit";
import { adminKeysRouter } from "./keys";
import { adminMetricsRouter } from "./metrics";
import { adminOpsRouter } from "./ops";
import { adminOrdersRouter } from "./orders";
import { adminPartnersRouter } from "./partners";
import { adminPricingRouter } from "./pricing";
import { adminWalletsRouter } from "./wallets";

/**
 * The admin dashboard's procedures, one router per area (every procedure is `adminProcedure`:
 * platform admins who passed their second factor). Go-live decisions are `admin.partners.*`; the
 * activation funnel and the dev mailbox stay in `onboarding.admin`.
 */
export const adminRouter = router({
  partners: adminPartnersRouter,
  pricing: adminPricingRouter,
  wallets: adminWalletsRouter,
  orders: adminOrdersRouter,
  keys: adminKeysRouter,
  audit: adminAuditRouter,
  metrics: adminMetricsRouter,
  ops: adminOpsRouter,
  agency: adminAgencyRouter,
});
