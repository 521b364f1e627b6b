import { createCallerFactory, router } from "./init";
import { adminRouter } from "./routers/admin";
import { agencyRouter } from "./routers/agency";
import { consoleRouter } from "./routers/console";
import { dashboardRouter } from "./routers/dashboard";
import { meRouter } from "./routers/me";
import { onboardingRouter } from "./routers/onboarding";
import { logsRouter } from "./routers/logs";
import { partnerRouter } from "./routers/partner";
import { settingsRouter } from "./routers/settings";
import { agencyReportsRouter, subagentRouter } from "./routers/subagent";
import { teamRouter } from "./routers/team";
import { walletRouter } from "./routers/wallet";
import { webhooksRouter } from "./routers/webhooks";

export const appRouter = router({
  me: meRouter,
  admin: adminRouter,
  partner: partnerRouter,
  console: consoleRouter,
  dashboard: dashboardRouter,
  onboarding: onboardingRouter,
  wallet: walletRouter,
  webhooks: webhooksRouter,
  logs: logsRouter,
  team: teamRouter,
  settings: settingsRouter,
  subagent: subagentRouter,
  agencyReports: agencyReportsRouter,
  agency: agencyRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
