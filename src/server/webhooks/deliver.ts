import { and, eq, isNull, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { memberships, partners, users, webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints, webhookEvents } from "@/server/db/schema";
import { requestEmail } from "@/server/email";
import { signingSecrets } from "./endpoints";
import { postWebhook } from "./http";
import type { WebhookRuntime } from "./runtime";
import { webhookHeaders } from "./sign";
import type { DeliveryRow } from "./types";

export interface AttemptResult {
  deliveryId: string;
  status: DeliveryRow["status"];
  attempt: number;
  statusCode: number | null;
  done: boolean;
}

type Runtime = Pick<
  WebhookRuntime,
  "db" | "encryptionKey" | "allowPrivateTargets" | "timeoutMs" | "disableAfterFailingMs" | "disableAfterExhausted" | "resolve"
>;

/**
 * Makes attempt number `attempt` of a delivery: signs the event with the endpoint's secrets,
 * POSTs it (SSRF-guarded, no redirects), records the attempt and the delivery's new state.
 * `retryInMs` is the wait before the next attempt, or null when this is the last one. Running
 * it again for an attempt already recorded sends nothing. Never throws for HTTP failures.
 */
export async function attemptDelivery(rt: Runtime, deliveryId: string, attempt: number, retryInMs: number | null): Promise<AttemptResult> {
  const [row] = await rt.db
    .select({ delivery: webhookDeliveries, event: webhookEvents, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId));
  if (!row) return { deliveryId, status: "exhausted", attempt, statusCode: null, done: true };
  const { delivery, event, endpoint } = row;
  const finished = delivery.status === "succeeded" || delivery.status === "exhausted";
  if (finished || delivery.attempts >= attempt) {
    return { deliveryId, status: delivery.status, attempt: delivery.attempts, statusCode: delivery.lastStatusCode, done: finished || retryInMs === null };
  }
  if (endpoint.deletedAt || !endpoint.enabled) {
    const reason = endpoint.deletedAt ? "endpoint deleted" : "endpoint disabled";
    await rt.db
      .update(webhookDeliveries)
      .set({ status: "exhausted", nextAttemptAt: null, lastError: reason, updatedAt: new Date() })
      .where(eq(webhookDeliveries.id, deliveryId));
    return { deliveryId, status: "exhausted", attempt: delivery.attempts, statusCode: null, done: true };
  }

  const body = JSON.stringify(event.payload);
  const headers = webhookHeaders({
    id: event.id,
    timestamp: Math.floor(Date.now() / 1000),
    body,
    secrets: signingSecrets(endpoint, rt.encryptionKey),
  });
  const result = await postWebhook(endpoint.url, headers, body, { timeoutMs: rt.timeoutMs, allowPrivate: rt.allowPrivateTargets, resolve: rt.resolve });
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const status: DeliveryRow["status"] = ok ? "succeeded" : retryInMs === null ? "exhausted" : "failed";
  const error = ok ? null : (result.error ?? `HTTP ${result.statusCode}`);

  await rt.db.transaction(async (tx) => {
    await tx
      .insert(webhookDeliveryAttempts)
      .values({
        id: newId("wha"),
        deliveryId,
        attempt,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        error,
        requestHeaders: headers,
        responseHeaders: result.responseHeaders ?? null,
        responseBody: result.responseBody ?? null,
      })
      .onConflictDoNothing();
    await tx
      .update(webhookDeliveries)
      .set({
        status,
        attempts: attempt,
        nextAttemptAt: status === "failed" ? new Date(Date.now() + retryInMs!) : null,
        lastStatusCode: result.statusCode,
        lastError: error,
        lastDurationMs: result.durationMs,
        updatedAt: new Date(),
      })
      .where(eq(webhookDeliveries.id, deliveryId));
    if (ok) {
      await tx
        .update(webhookEndpoints)
        .set({ consecutiveFailures: 0, firstFailureAt: null })
        .where(and(eq(webhookEndpoints.id, endpoint.id), sql`(${webhookEndpoints.consecutiveFailures} > 0 or ${webhookEndpoints.firstFailureAt} is not null)`));
    } else {
      await recordEndpointFailure(tx, rt, endpoint.id, status === "exhausted");
    }
  });
  return { deliveryId, status, attempt, statusCode: result.statusCode, done: status !== "failed" };
}

/**
 * Counts a failed attempt against its endpoint; disables the endpoint once it has failed for
 * longer than `disableAfterFailingMs` since its first failure, or after `disableAfterExhausted`
 * exhausted deliveries in a row, and tells the partner's owners by email (once: the disabling
 * update is guarded).
 */
async function recordEndpointFailure(tx: DbOrTx, rt: Runtime, endpointId: string, exhausted: boolean) {
  await tx
    .update(webhookEndpoints)
    .set({
      firstFailureAt: sql`coalesce(${webhookEndpoints.firstFailureAt}, now())`,
      consecutiveFailures: exhausted ? sql`${webhookEndpoints.consecutiveFailures} + 1` : webhookEndpoints.consecutiveFailures,
    })
    .where(eq(webhookEndpoints.id, endpointId));
  const failingSeconds = Math.floor(rt.disableAfterFailingMs / 1000);
  const [disabled] = await tx
    .update(webhookEndpoints)
    .set({
      enabled: false,
      disabledAt: new Date(),
      disabledReason: sql`case when ${webhookEndpoints.consecutiveFailures} >= ${rt.disableAfterExhausted}
        then ${webhookEndpoints.consecutiveFailures}::text || ' deliveries in a row failed every attempt'
        else 'deliveries kept failing since ' || to_char(${webhookEndpoints.firstFailureAt} at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') end`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(webhookEndpoints.id, endpointId),
        eq(webhookEndpoints.enabled, true),
        isNull(webhookEndpoints.disabledAt),
        isNull(webhookEndpoints.deletedAt),
        sql`(${webhookEndpoints.consecutiveFailures} >= ${rt.disableAfterExhausted}
          or ${webhookEndpoints.firstFailureAt} <= now() - make_interval(secs => ${failingSeconds}))`,
      ),
    )
    .returning();
  if (!disabled) return;
  for (const to of await ownerEmails(tx, disabled.partnerId)) {
    await requestEmail(tx, {
      to,
      partnerId: disabled.partnerId,
      template: "webhook_endpoint_disabled",
      params: { endpointId: disabled.id, url: disabled.url, environment: disabled.environment, reason: disabled.disabledReason ?? "deliveries kept failing" },
    });
  }
}

/** The partner's owners, or its contact address when it has none. */
async function ownerEmails(db: DbOrTx, partnerId: string): Promise<string[]> {
  const owners = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.partnerId, partnerId), eq(memberships.role, "owner")));
  if (owners.length) return owners.map((o) => o.email);
  const [partner] = await db.select({ email: partners.contactEmail }).from(partners).where(eq(partners.id, partnerId));
  return partner ? [partner.email] : [];
}
