import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { webhookEndpoints } from "@/server/db/schema";
import { emitPartnerEvent } from "./emit";
import { webhookRuntime } from "./runtime";
import { generateSecret } from "./sign";
import { TargetError, validateEndpointUrl } from "./target";
import { SUBSCRIBABLE_EVENT_TYPES, WebhookError, type EndpointRow, type WebhookScope } from "./types";
import { recordMilestone } from "@/server/partners/activation";

export const MAX_ENDPOINTS = 20;
/** How long the previous secret keeps signing after a rotation. */
const ROTATION_OVERLAP_MS = 24 * 3600_000;

/** Endpoint options; defaults come from the webhook runtime (ENCRYPTION_KEY, private-target policy). */
export interface EndpointOptions {
  encryptionKey?: string;
  allowPrivateTargets?: boolean;
}

const keyFor = (opts: EndpointOptions) => opts.encryptionKey ?? webhookRuntime().encryptionKey;
const allowPrivateFor = (opts: EndpointOptions) => opts.allowPrivateTargets ?? webhookRuntime().allowPrivateTargets;

/** The public view of an endpoint: never the secret. */
export function presentEndpoint(e: EndpointRow) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    /** active; paused by the partner; disabled by us after failing deliveries (re-enable with enabled: true). */
    status: e.disabledAt ? ("disabled" as const) : e.enabled ? ("active" as const) : ("paused" as const),
    disabledAt: e.disabledAt,
    disabledReason: e.disabledReason,
    environment: e.environment,
    previousSecretExpiresAt: e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now() ? e.previousSecretExpiresAt : null,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
export type PublicEndpoint = ReturnType<typeof presentEndpoint>;

function checkUrl(url: string, allowPrivate: boolean): string {
  try {
    return validateEndpointUrl(url, allowPrivate).toString();
  } catch (error) {
    if (error instanceof TargetError) throw new WebhookError("invalid_url", error.message, "url");
    throw error;
  }
}

function checkEvents(events: readonly string[]): string[] {
  if (events.length === 0) throw new WebhookError("invalid_events", `events must list at least one of ${SUBSCRIBABLE_EVENT_TYPES.join(", ")} or "*"`, "events");
  for (const e of events) {
    if (e !== "*" && !(SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(e)) {
      throw new WebhookError("invalid_events", `Unknown event type "${e}": use ${SUBSCRIBABLE_EVENT_TYPES.join(", ")} or "*"`, "events");
    }
  }
  return events.includes("*") ? ["*"] : [...new Set(events)];
}

/** At most 500 characters; blank is none. */
function cleanDescription(description: string | null | undefined): string | null {
  const text = description?.trim() ?? "";
  if (text.length > 500) throw new WebhookError("invalid_parameter", "description must be at most 500 characters", "description");
  return text || null;
}

const scoped = (scope: WebhookScope, id: string) =>
  and(
    eq(webhookEndpoints.id, id),
    eq(webhookEndpoints.partnerId, scope.partnerId),
    eq(webhookEndpoints.environment, scope.environment),
    isNull(webhookEndpoints.deletedAt),
  );

const notFound = (id: string) => new WebhookError("resource_not_found", `No webhook endpoint with id "${id}"`, "id");

/** Creates an endpoint; the signing secret (`whsec_…`) is in the result only, shown once, and stored encrypted. */
export async function createEndpoint(
  db: DbOrTx,
  input: WebhookScope & { url: string; description?: string | null; events: string[]; enabled?: boolean; actor?: string },
  opts: EndpointOptions = {},
): Promise<{ endpoint: PublicEndpoint; secret: string }> {
  const url = checkUrl(input.url, allowPrivateFor(opts));
  const events = checkEvents(input.events);
  const secret = generateSecret();
  const secretEncrypted = encryptSecret(secret, keyFor(opts));
  // Count and insert under a lock on (partner, environment): concurrent creates queue on it and
  // each counts the ones before it, so the limit holds however many arrive at once.
  const row = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`webhook-endpoints:${input.partnerId}:${input.environment}`}, 0))`);
    const [{ n } = { n: 0 }] = await tx
      .select({ n: count() })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.partnerId, input.partnerId), eq(webhookEndpoints.environment, input.environment), isNull(webhookEndpoints.deletedAt)));
    if (n >= MAX_ENDPOINTS) throw new WebhookError("too_many_endpoints", `At most ${MAX_ENDPOINTS} webhook endpoints per environment; delete one first`);
    const [created] = await tx
      .insert(webhookEndpoints)
      .values({
        id: newId("whk"),
        partnerId: input.partnerId,
        environment: input.environment,
        url,
        description: cleanDescription(input.description),
        events,
        enabled: input.enabled ?? true,
        secretEncrypted,
        createdBy: input.actor ?? null,
      })
      .returning();
    await recordMilestone(tx, input.partnerId, "first_webhook_endpoint");
    return created!;
  });
  return { endpoint: presentEndpoint(row), secret };
}

/** The partner's endpoints in this environment, newest first. */
export async function listEndpoints(db: DbOrTx, scope: WebhookScope): Promise<PublicEndpoint[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.partnerId, scope.partnerId), eq(webhookEndpoints.environment, scope.environment), isNull(webhookEndpoints.deletedAt)))
    .orderBy(desc(webhookEndpoints.id));
  return rows.map(presentEndpoint);
}

export async function getEndpoint(db: DbOrTx, scope: WebhookScope, id: string): Promise<PublicEndpoint> {
  const [row] = await db.select().from(webhookEndpoints).where(scoped(scope, id));
  if (!row) throw notFound(id);
  return presentEndpoint(row);
}

/**
 * Changes url, description, events or enabled. Enabling an endpoint we disabled clears the reason and the
 * failure counters, so it gets a fresh start.
 */
export async function updateEndpoint(
  db: DbOrTx,
  scope: WebhookScope,
  id: string,
  patch: { url?: string; description?: string | null; events?: string[]; enabled?: boolean },
  opts: EndpointOptions = {},
): Promise<PublicEndpoint> {
  const set: Partial<typeof webhookEndpoints.$inferInsert> = { updatedAt: new Date() };
  if (patch.url !== undefined) set.url = checkUrl(patch.url, allowPrivateFor(opts));
  if (patch.description !== undefined) set.description = cleanDescription(patch.description);
  if (patch.events !== undefined) set.events = checkEvents(patch.events);
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  if (patch.enabled === true) Object.assign(set, { disabledAt: null, disabledReason: null, consecutiveFailures: 0, firstFailureAt: null });
  const [row] = await db.update(webhookEndpoints).set(set).where(scoped(scope, id)).returning();
  if (!row) throw notFound(id);
  return presentEndpoint(row);
}

/** Deletes an endpoint: nothing more is sent to it; its delivery log stays readable. */
export async function deleteEndpoint(db: DbOrTx, scope: WebhookScope, id: string): Promise<{ id: string; deleted: true }> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ deletedAt: new Date(), enabled: false, updatedAt: new Date() })
    .where(scoped(scope, id))
    .returning({ id: webhookEndpoints.id });
  if (!row) throw notFound(id);
  return { id: row.id, deleted: true };
}

/**
 * A new signing secret, shown once. The current one becomes the previous secret and keeps
 * signing (a second `v1,` signature) for 24 h, so receivers can switch without dropping events.
 * Rotating again within those 24 h drops the older secret.
 */
export async function rotateSecret(
  db: DbOrTx,
  scope: WebhookScope,
  id: string,
  opts: EndpointOptions = {},
): Promise<{ endpoint: PublicEndpoint; secret: string }> {
  const key = keyFor(opts);
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(webhookEndpoints).where(scoped(scope, id)).for("update");
    if (!current) throw notFound(id);
    const secret = generateSecret();
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        secretEncrypted: encryptSecret(secret, key),
        previousSecretEncrypted: current.secretEncrypted,
        previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
        updatedAt: new Date(),
      })
      .where(eq(webhookEndpoints.id, current.id))
      .returning();
    return { endpoint: presentEndpoint(row!), secret };
  });
}

/** The secrets that sign a delivery now: the current one, plus the previous one during its overlap. */
export function signingSecrets(e: EndpointRow, encryptionKey: string, now = Date.now()): string[] {
  const out = [decryptSecret(e.secretEncrypted, encryptionKey)];
  if (e.previousSecretEncrypted && e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > now) {
    out.push(decryptSecret(e.previousSecretEncrypted, encryptionKey));
  }
  return out;
}

/** Sends a `webhook.test` event to this endpoint only (it must be enabled). Returns the event and delivery ids. */
export async function sendTestEvent(db: DbOrTx, scope: WebhookScope, id: string): Promise<{ eventId: string; deliveryId: string }> {
  const [endpoint] = await db.select().from(webhookEndpoints).where(scoped(scope, id));
  if (!endpoint) throw notFound(id);
  if (!endpoint.enabled) throw new WebhookError("endpoint_unavailable", "The endpoint is not enabled: enable it before sending a test event", "id");
  const { event, deliveryIds } = await emitPartnerEvent(db, {
    partnerId: scope.partnerId,
    environment: scope.environment,
    type: "webhook.test",
    data: { endpointId: endpoint.id, message: "This is a test event from Steller." },
    endpointIds: [endpoint.id],
  });
  return { eventId: event.id, deliveryId: deliveryIds[0]! };
}
