import { router } from "../../init";

/** Growth metrics: signups, activation, active partners, orders, revenue and margin, computed in SQL. */
export const adminMetricsRouter = router({});
