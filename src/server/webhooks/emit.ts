import { and, arrayOverlaps, eq, inArray, isNull } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "@/server/db/schema";
import { enqueueEvent } from "@/server/outbox";
import type { EventRow, WebhookEnvironment, WebhookEventType } from "./types";

export interface EmitInput {
  partnerId: string;
  environment: WebhookEnvironment;
  type: WebhookEventType;
  /** Thin: ids, status, amounts. Never card codes or PINs. */
  data: Record<string, unknown>;
  /** Emitting again with the same key does nothing (a re-run job step). */
  idempotencyKey?: string;
  /** Deliver only to these endpoints, whatever they subscribe to (test events). */
  endpointIds?: string[];
}

/**
 * Records a partner event and one delivery per enabled endpoint of that partner and environment
 * subscribed to its type, and enqueues `webhook/deliver` for each through the outbox, all in one
 * transaction (a savepoint when given one). Returns the event and the new delivery ids.
 */
export async function emitPartnerEvent(db: DbOrTx, input: EmitInput): Promise<{ event: EventRow; deliveryIds: string[]; created: boolean }> {
  return db.transaction(async (tx) => {
    const payload = { type: input.type, timestamp: new Date().toISOString(), data: input.data };
    const [inserted] = await tx
      .insert(webhookEvents)
      .values({
        id: newId("msg"),
        partnerId: input.partnerId,
        environment: input.environment,
        type: input.type,
        payload,
        idempotencyKey: input.idempotencyKey ?? null,
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted) {
      const [existing] = await tx
        .select()
        .from(webhookEvents)
        .where(and(eq(webhookEvents.partnerId, input.partnerId), eq(webhookEvents.idempotencyKey, input.idempotencyKey!)));
      return { event: existing!, deliveryIds: [], created: false };
    }
    const targets = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.partnerId, input.partnerId),
          eq(webhookEndpoints.environment, input.environment),
          eq(webhookEndpoints.enabled, true),
          isNull(webhookEndpoints.deletedAt),
          input.endpointIds ? inArray(webhookEndpoints.id, input.endpointIds) : arrayOverlaps(webhookEndpoints.events, [input.type, "*"]),
        ),
      );
    const deliveryIds = await createDeliveries(
      tx,
      inserted,
      targets.map((t) => t.id),
    );
    return { event: inserted, deliveryIds, created: true };
  });
}

/** New deliveries of an event (replays too) and their `webhook/deliver` events, in the caller's transaction. */
export async function createDeliveries(tx: DbOrTx, event: EventRow, endpointIds: string[], replayOf?: string): Promise<string[]> {
  if (endpointIds.length === 0) return [];
  return queueDeliveries(
    tx,
    endpointIds.map((endpointId) => ({
      eventId: event.id,
      endpointId,
      partnerId: event.partnerId,
      environment: event.environment,
      replayOf: replayOf ?? null,
    })),
  );
}

/** Inserts deliveries (new ids) and enqueues their `webhook/deliver` events, in the caller's transaction. */
export async function queueDeliveries(tx: DbOrTx, deliveries: Omit<typeof webhookDeliveries.$inferInsert, "id">[]): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const rows = deliveries.map((d) => ({ ...d, id: newId("whd") }));
  await tx.insert(webhookDeliveries).values(rows);
  await enqueueEvent(
    tx,
    rows.map((r) => ({ name: "webhook/deliver" as const, data: { deliveryId: r.id }, id: `webhook-deliver:${r.id}` })),
  );
  return rows.map((r) => r.id);
}
