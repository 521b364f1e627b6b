import { processServices } from "@/server/boot/services";
import { getDatabase, poolStats } from "@/server/db/client";
import { checkHealth } from "@/server/health";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET() {
  const database = getDatabase();
  const health = await checkHealth(database.db, { pool: poolStats(database.sql), requestLog: processServices().requestLog });
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
