import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints, webhookEvents } from "@/server/db/schema";
import { createDeliveries, queueDeliveries } from "./emit";
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
  opts: { limit?: number; startingAfter?: string; status?: DeliveryStatus; endpointId?: string; eventId?: string; eventType?: string } = {},
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
        opts.eventType ? eq(webhookEvents.type, opts.eventType) : undefined,
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

/**
 * One delivery as the dashboard's detail shows it: the endpoint's URL, the exact body sent, and
 * each attempt with the webhook headers sent and the receiver's status, headers and body excerpt
 * (attempts made before these were kept have none).
 */
export async function getDeliveryDetail(db: DbOrTx, scope: WebhookScope, id: string) {
  const [row] = await db
    .select({ delivery: webhookDeliveries, event: webhookEvents, url: webhookEndpoints.url })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(scoped(scope, id));
  if (!row) throw notFound(id);
  const attempts = await db
    .select({
      attempt: webhookDeliveryAttempts.attempt,
      statusCode: webhookDeliveryAttempts.statusCode,
      durationMs: webhookDeliveryAttempts.durationMs,
      error: webhookDeliveryAttempts.error,
      at: webhookDeliveryAttempts.at,
      requestHeaders: webhookDeliveryAttempts.requestHeaders,
      responseHeaders: webhookDeliveryAttempts.responseHeaders,
      responseBody: webhookDeliveryAttempts.responseBody,
    })
    .from(webhookDeliveryAttempts)
    .where(eq(webhookDeliveryAttempts.deliveryId, id))
    .orderBy(asc(webhookDeliveryAttempts.attempt));
  return {
    ...presentDelivery(row.delivery, row.event.type),
    url: row.url,
    // What attemptDelivery sends: the stored payload, serialised the same way.
    body: JSON.stringify(row.event.payload),
    attemptLog: attempts,
  };
}

/** How far back "recover failed deliveries" may reach. */
export const RECOVER_WINDOW_DAYS = 30;
/** Deliveries re-sent by one recover call; calling again continues with the rest. */
const RECOVER_BATCH = 1000;

/**
 * "Recover all failed since": every event whose delivery to this endpoint failed (its latest
 * delivery there is `failed` or `exhausted`) and that was delivered there since `since` is sent
 * again, as a replay of that latest delivery. Idempotent: an event whose latest delivery is a
 * replay still pending (or that succeeded) is left alone, so calling twice does not send twice;
 * concurrent calls queue on the endpoint's row. `dryRun` only counts. At most 1000 per call
 * (`hasMore` says to call again). The endpoint must be enabled.
 */
export async function recoverFailedDeliveries(
  db: DbOrTx,
  scope: WebhookScope,
  endpointId: string,
  since: Date,
  opts: { dryRun?: boolean; now?: Date } = {},
): Promise<{ count: number; hasMore: boolean; deliveryIds: string[] }> {
  const now = opts.now ?? new Date();
  if (Number.isNaN(since.getTime()) || since.getTime() > now.getTime()) {
    throw new WebhookError("invalid_parameter", "since must be a time in the past", "since");
  }
  if (since.getTime() < now.getTime() - RECOVER_WINDOW_DAYS * 24 * 3600_000) {
    throw new WebhookError("invalid_parameter", `since must be within the last ${RECOVER_WINDOW_DAYS} days`, "since");
  }
  return db.transaction(async (tx) => {
    const [endpoint] = await tx
      .select()
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.id, endpointId),
          eq(webhookEndpoints.partnerId, scope.partnerId),
          eq(webhookEndpoints.environment, scope.environment),
          sql`${webhookEndpoints.deletedAt} is null`,
        ),
      )
      .for("update");
    if (!endpoint) throw new WebhookError("resource_not_found", `No webhook endpoint with id "${endpointId}"`, "id");
    if (!opts.dryRun && !endpoint.enabled) {
      throw new WebhookError("endpoint_unavailable", "The endpoint is not enabled: enable it before recovering its deliveries", "id");
    }
    // The latest delivery of each event sent to this endpoint since `since`, when it failed.
    const failed = await tx.execute<{ id: string; event_id: string }>(sql`
      select id, event_id from (
        select distinct on (d.event_id) d.id, d.event_id, d.status
        from ${webhookDeliveries} d
        where d.endpoint_id = ${endpoint.id}
          and d.event_id in (select s.event_id from ${webhookDeliveries} s where s.endpoint_id = ${endpoint.id} and s.created_at >= ${since.toISOString()}::timestamptz)
        order by d.event_id, d.created_at desc, d.id desc
      ) latest
      where status in ('failed', 'exhausted')
      order by id
      limit ${RECOVER_BATCH + 1}`);
    const picked = [...failed].slice(0, RECOVER_BATCH);
    const hasMore = failed.length > RECOVER_BATCH;
    if (opts.dryRun || picked.length === 0) return { count: picked.length, hasMore, deliveryIds: [] };
    const deliveryIds = await queueDeliveries(
      tx,
      picked.map((d) => ({ eventId: d.event_id, endpointId: endpoint.id, partnerId: scope.partnerId, environment: scope.environment, replayOf: d.id })),
    );
    return { count: deliveryIds.length, hasMore, deliveryIds };
  });
}

/**
 * An endpoint's deliveries per day (UTC) over the last `days` days, today included, computed in
 * SQL: how many were created that day, how many succeeded, failed (`failed` or `exhausted`) or
 * are still pending, and the success rate of the finished ones in percent (null when none).
 */
export async function endpointSuccessRate(db: DbOrTx, scope: WebhookScope, endpointId: string, days: number) {
  const rows = await db.execute<{ day: string; total: number; succeeded: number; failed: number; pending: number; rate: number | null }>(sql`
    with days as (
      select generate_series((now() at time zone 'UTC')::date - ${days - 1}::int, (now() at time zone 'UTC')::date, interval '1 day')::date as day
    ), counts as (
      select (d.created_at at time zone 'UTC')::date as day,
        count(*)::int as total,
        count(*) filter (where d.status = 'succeeded')::int as succeeded,
        count(*) filter (where d.status in ('failed', 'exhausted'))::int as failed,
        count(*) filter (where d.status = 'pending')::int as pending
      from ${webhookDeliveries} d
      where d.endpoint_id = ${endpointId}
        and d.partner_id = ${scope.partnerId}
        and d.environment = ${scope.environment}
        and d.created_at >= ((now() at time zone 'UTC')::date - ${days - 1}::int) at time zone 'UTC'
      group by 1
    )
    select to_char(days.day, 'YYYY-MM-DD') as day,
      coalesce(c.total, 0) as total, coalesce(c.succeeded, 0) as succeeded, coalesce(c.failed, 0) as failed, coalesce(c.pending, 0) as pending,
      case when coalesce(c.succeeded, 0) + coalesce(c.failed, 0) = 0 then null
        else round(100.0 * c.succeeded / (c.succeeded + c.failed), 1)::float8 end as rate
    from days left join counts c on c.day = days.day
    order by days.day`);
  return [...rows];
}
