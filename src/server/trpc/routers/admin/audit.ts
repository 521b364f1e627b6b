import { router } from "../../init";

/** The audit log: filtered view, CSV export (the REST export is GET /api/admin/audit-log). */
export const adminAuditRouter = router({});
