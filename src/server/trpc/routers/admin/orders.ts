import { router } from "../../init";

/** Order support: search, detail with timeline and vendor calls, re-poll, retry, refund, cancel, backfill by range. */
export const adminOrdersRouter = router({});
