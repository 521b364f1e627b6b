import { and, asc, eq, inArray, isNull, or } from "drizzle-orm";
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
export async function emitPartnerEvent(db: DbOrTx, input: EmitInput): Promise<EmittedEvent> {
  const [emitted] = await emitPartnerEvents(db, [input]);
  return emitted!;
}

export interface EmittedEvent {
  event: EventRow;
  deliveryIds: string[];
  created: boolean;
}

/**
 * `emitPartnerEvent` for many events at once, in one transaction and a fixed number of statements
 * (a vendor batch's settlement emits one per member order): the events in one insert, their
 * endpoints in one read, every delivery and its `webhook/deliver` in one insert each. The answer
 * is in the order of `inputs`; an input whose idempotency key was already emitted (here or before)
 * answers the existing event, `created: false`, with no delivery.
 */
export async function emitPartnerEvents(db: DbOrTx, inputs: readonly EmitInput[]): Promise<EmittedEvent[]> {
  if (inputs.length === 0) return [];
  return db.transaction(async (tx) => {
    const timestamp = new Date().toISOString();
    const rows = inputs.map((input) => ({
      id: newId("msg"),
      partnerId: input.partnerId,
      environment: input.environment,
      type: input.type,
      payload: { type: input.type, timestamp, data: input.data },
      idempotencyKey: input.idempotencyKey ?? null,
    }));
    const inserted = new Map((await tx.insert(webhookEvents).values(rows).onConflictDoNothing().returning()).map((e) => [e.id, e]));
    // Inputs not inserted: their key was emitted before (or twice in this call): the existing event.
    const skipped = rows.filter((r) => !inserted.has(r.id));
    const existing = new Map<string, EventRow>();
    if (skipped.length) {
      const found = await tx
        .select()
        .from(webhookEvents)
        .where(or(...skipped.map((r) => and(eq(webhookEvents.partnerId, r.partnerId), eq(webhookEvents.idempotencyKey, r.idempotencyKey!)))));
      for (const e of found) existing.set(`${e.partnerId}\u0000${e.idempotencyKey}`, e);
    }
    const created = inputs.flatMap((input, i) => (inserted.has(rows[i]!.id) ? [{ input, event: inserted.get(rows[i]!.id)! }] : []));
    const endpoints = created.length
      ? await tx
          .select({
            id: webhookEndpoints.id,
            partnerId: webhookEndpoints.partnerId,
            environment: webhookEndpoints.environment,
            events: webhookEndpoints.events,
          })
          .from(webhookEndpoints)
          .where(
            and(
              inArray(webhookEndpoints.partnerId, [...new Set(created.map((c) => c.input.partnerId))]),
              eq(webhookEndpoints.enabled, true),
              isNull(webhookEndpoints.deletedAt),
            ),
          )
          .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
      : [];
    const deliveries = created.flatMap(({ input, event }) =>
      endpoints
        .filter(
          (t) =>
            t.partnerId === input.partnerId &&
            t.environment === input.environment &&
            (input.endpointIds ? input.endpointIds.includes(t.id) : t.events.includes(input.type) || t.events.includes("*")),
        )
        .map((t) => ({ eventId: event.id, endpointId: t.id, partnerId: event.partnerId, environment: event.environment, replayOf: null })),
    );
    const deliveryIds = await queueDeliveries(tx, deliveries);
    const idsByEvent = new Map<string, string[]>();
    for (const [i, d] of deliveries.entries()) idsByEvent.set(d.eventId, [...(idsByEvent.get(d.eventId) ?? []), deliveryIds[i]!]);
    return rows.map((r) => {
      const event = inserted.get(r.id);
      if (event) return { event, deliveryIds: idsByEvent.get(event.id) ?? [], created: true };
      return { event: existing.get(`${r.partnerId}\u0000${r.idempotencyKey}`)!, deliveryIds: [], created: false };
    });
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
