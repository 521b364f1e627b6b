import { getSessionUser } from "@/server/auth";
import { getDb } from "@/server/db/client";
import { adminStatementCsv } from "../statement-csv";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The admin wallets page's "Download statement CSV" of a partner (see adminStatementCsv). */
export async function GET(req: Request) {
  return adminStatementCsv(req, await getSessionUser(), getDb());
}
