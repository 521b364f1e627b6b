import { eventType } from "inngest";
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Environment } from "@/server/catalog/visibility";
import type { DbOrTx } from "@/server/db/client";
import { supplierNotifications, vendorBatches } from "@/server/db/schema";
import { enqueueEvents } from "@/server/outbox";
import { createNotificationHandler, type NotificationHandlerOptions, type NotificationHint } from "@/server/supplier/notifications";

/**
 * What wakes the shared poller (poller.ts): its event, and the vendor's order notifications, which
 * are hints only (a verified one makes its batch be asked first, now; it never settles anything).
 */

/** Wakes the poller of an environment: sent when a batch is placed, a notification arrives, and every minute. */
export const supplierPollRequested = eventType("supplier/poll.requested", {
  schema: z.object({ environment: z.enum(["sandbox", "live"]) }),
});

/** Asks for a poller run of `environment` (in the caller's transaction, through the outbox). `id` de-duplicates. */
export async function requestPoll(db: DbOrTx, environment: Environment, id?: string): Promise<void> {
  await enqueueEvents(db, [{ name: supplierPollRequested.name, data: { environment }, id }]);
}

/**
 * Records a verified vendor notification (once per notification id) and, when it names a batch
 * still at the vendor, makes that batch due now and wakes its poller: the batch is asked first in
 * the next round. Nothing else: the notification's status is never trusted, and a request id we do
 * not know changes nothing (orders placed before batching keep their own poll schedule).
 */
export async function noteVendorNotification(db: DbOrTx, vendor: string, hint: NotificationHint): Promise<"recorded" | "duplicate"> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(supplierNotifications)
      .values({ id: `${vendor}:${hint.id}`, vendor, requestId: hint.requestId, claimedStatus: hint.claimedStatus?.slice(0, 50) ?? null })
      .onConflictDoNothing()
      .returning({ id: supplierNotifications.id });
    if (inserted.length === 0) return "duplicate";
    const [batch] = await tx
      .update(vendorBatches)
      .set({ nextPollAt: sql`least(coalesce(${vendorBatches.nextPollAt}, now()), now())` })
      .where(and(eq(vendorBatches.vendorRequestId, hint.requestId), inArray(vendorBatches.status, ["placing", "placed"])))
      .returning({ environment: vendorBatches.environment });
    if (batch) await requestPoll(tx, batch.environment, `supplier-notification:${vendor}:${hint.id}`);
    return "recorded";
  });
}

/**
 * The handler of `POST /api/supplier/bamboo/notifications`: Bamboo's signed notification verified
 * with `secret()` (BAMBOO_NOTIFICATION_SECRET; unset = 404), then recorded as a hint
 * (`noteVendorNotification`). See src/server/supplier/notifications.ts for the wire format.
 */
export function bambooNotificationHandler(
  db: () => DbOrTx,
  secret: () => string | undefined,
  opts: Omit<NotificationHandlerOptions, "secret" | "onHint"> = {},
): (req: Request) => Promise<Response> {
  return createNotificationHandler({ ...opts, secret, onHint: (hint) => noteVendorNotification(db(), "bamboo", hint) });
}

/** Wakes the poller of the batch's environment (called once a batch is placed, when the shared poller is on). */
export async function wakePollerFor(db: DbOrTx, batchId: string): Promise<void> {
  const [batch] = await db.select({ environment: vendorBatches.environment }).from(vendorBatches).where(eq(vendorBatches.id, batchId));
  if (batch) await requestPoll(db, batch.environment);
}
