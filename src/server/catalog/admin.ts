import { desc } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { catalogSyncRuns } from "@/server/db/schema";
import { enqueueEvent } from "@/server/outbox";

/** Admin: asks the catalog-sync job to run now (it runs in the background, one at a time). */
export async function requestCatalogSync(db: DbOrTx, actor: string) {
  const [eventId] = await enqueueEvent(db, { name: "catalog/sync.requested", data: { source: "manual", requestedBy: actor } });
  return { eventId: eventId! };
}

/** The latest catalog-sync runs, newest first. */
export async function listCatalogSyncRuns(db: DbOrTx, limit = 20) {
  return db.select().from(catalogSyncRuns).orderBy(desc(catalogSyncRuns.startedAt)).limit(limit);
}
