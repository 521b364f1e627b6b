import { getSessionUser } from "@/server/auth";
import { getDb } from "@/server/db/client";
import { dashboardStatementCsv } from "../statement-csv";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The wallet page's "Download CSV": the signed-in member's statement (see dashboardStatementCsv). */
export async function GET(req: Request) {
  return dashboardStatementCsv(req, await getSessionUser(), getDb());
}
