import { metricsBounds, metricsRange } from "@/lib/schemas/metrics";
import { growthMetrics } from "@/server/metrics/growth";
import { adminProcedure, router } from "../../init";

/** Growth metrics: signups, activation, active partners, orders, revenue and margin, computed in SQL. */
export const adminMetricsRouter = router({
  growth: adminProcedure.input(metricsRange).query(({ ctx, input }) =>
    growthMetrics(ctx.db, {
      ...metricsBounds(input),
      granularity: input.granularity,
      environment: input.environment === "all" ? undefined : input.environment,
    }),
  ),
});
