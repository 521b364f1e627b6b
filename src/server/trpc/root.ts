import { createCallerFactory, router } from "./init";
import { adminRouter } from "./routers/admin";
import { consoleRouter } from "./routers/console";
import { dashboardRouter } from "./routers/dashboard";
import { meRouter } from "./routers/me";
import { onboardingRouter } from "./routers/onboarding";
import { partnerRouter } from "./routers/partner";

export const appRouter = router({
  me: meRouter,
  admin: adminRouter,
  partner: partnerRouter,
  console: consoleRouter,
  dashboard: dashboardRouter,
  onboarding: onboardingRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
