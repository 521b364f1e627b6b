import { getSessionUser } from "@/server/auth";
import { getDb } from "@/server/db/client";
import { adminAuditLog } from "./audit-log";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The audit log for admins (session with the second factor, or an admin token): JSON pages or `format=csv`. */
export async function GET(req: Request) {
  return adminAuditLog(req, getDb(), getSessionUser);
}
