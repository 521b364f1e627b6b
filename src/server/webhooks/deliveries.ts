import { and, asc, desc, eq, lt } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints, webhookEvents } from "@/server/db/schema";
import { createDeliveries } from "./emit";
import { WebhookError, type DeliveryRow, type WebhookScope } from "./types";

export type DeliveryStatus = DeliveryRow["status"];

export function presentDelivery(d: DeliveryRow, eventType: string) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType,
    endpointId: d.endpointId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastResponseStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastDurationMs: d.lastDurationMs,
    replayOf: d.replayOf,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
export type PublicDelivery = ReturnType<typeof presentDelivery>;

const scoped = (scope: WebhookScope, id: string) =>
  and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.partnerId, scope.partnerId), eq(webhookDeliveries.environment, scope.environment));

const notFound = (id: string) => new WebhookError("resource_not_found", `No webhook delivery with id "${id}"`, "id");

const MAX_PAGE = 100;

/** The partner's deliveries in this environment, newest first, by cursor; optionally one status, endpoint or event. */
export async function listDeliveries(
  db: DbOrTx,
  scope: WebhookScope,
  opts: { limit?: number; startingAfter?: string; status?: DeliveryStatus; endpointId?: string; eventId?: string } = {},
): Promise<{ data: PublicDelivery[]; hasMore: boolean; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), MAX_PAGE);
  const rows = await db
    .select({ delivery: webhookDeliveries, type: webhookEvents.type })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(
      and(
        eq(webhookDeliveries.partnerId, scope.partnerId),
        eq(webhookDeliveries.environment, scope.environment),
        opts.startingAfter ? lt(webhookDeliveries.id, opts.startingAfter) : undefined,
        opts.status ? eq(webhookDeliveries.status, opts.status) : undefined,
        opts.endpointId ? eq(webhookDeliveries.endpointId, opts.endpointId) : undefined,
        opts.eventId ? eq(webhookDeliveries.eventId, opts.eventId) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data: page.map((r) => presentDelivery(r.delivery, r.type)), hasMore, nextCursor: hasMore ? page.at(-1)!.delivery.id : null };
}

/** One delivery with each HTTP attempt (status code, duration, error, time). */
export async function getDelivery(db: DbOrTx, scope: WebhookScope, id: string) {
  const [row] = await db
    .select({ delivery: webhookDeliveries, type: webhookEvents.type })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(scoped(scope, id));
  if (!row) throw notFound(id);
  const attempts = await db
    .select({
      attempt: webhookDeliveryAttempts.attempt,
      statusCode: webhookDeliveryAttempts.statusCode,
      durationMs: webhookDeliveryAttempts.durationMs,
      error: webhookDeliveryAttempts.error,
      at: webhookDeliveryAttempts.at,
    })
    .from(webhookDeliveryAttempts)
    .where(eq(webhookDeliveryAttempts.deliveryId, id))
    .orderBy(asc(webhookDeliveryAttempts.attempt));
  return { ...presentDelivery(row.delivery, row.type), attemptLog: attempts };
}

/**
 * Sends the same event (same `webhook-id`, same body, fresh timestamp and signatures) to the same
 * endpoint again, as a new delivery with its own attempts. The endpoint must still exist and be enabled.
 */
export async function replayDelivery(db: DbOrTx, scope: WebhookScope, id: string): Promise<PublicDelivery> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ delivery: webhookDeliveries, event: webhookEvents, endpoint: webhookEndpoints })
      .from(webhookDeliveries)
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(scoped(scope, id));
    if (!row) throw notFound(id);
    if (row.endpoint.deletedAt) throw new WebhookError("endpoint_unavailable", "The endpoint of this delivery was deleted", "id");
    if (!row.endpoint.enabled) throw new WebhookError("endpoint_unavailable", "The endpoint of this delivery is not enabled: enable it before replaying", "id");
    const [newId] = await createDeliveries(tx, row.event, [row.endpoint.id], row.delivery.id);
    const [created] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, newId!));
    return presentDelivery(created!, row.event.type);
  });
}
