import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { auditLog } from "@/server/db/schema";

export interface AuditEntry {
  /** Who acted: a user id (`usr_…`), an API key id (`key_…`) or `system:<what>`. */
  actor: string;
  partnerId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  /** Why (mandatory for money actions: the caller validates it). */
  reason?: string | null;
  /** The target's state before and after the change. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** The client IP of the request (see `clientIpFrom`); none for system actions. */
  ip?: string | null;
}

/** Records an audit entry; pass the transaction of the change it describes so both commit together. */
export async function recordAudit(db: DbOrTx, e: AuditEntry): Promise<void> {
  const actorType = e.actor.startsWith("usr_") ? "user" : e.actor.startsWith("key_") ? "api_key" : "system";
  await db.insert(auditLog).values({
    id: newId("aud"),
    actorUserId: actorType === "user" ? e.actor : null,
    actorType,
    partnerId: e.partnerId ?? null,
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    metadata: e.actor && actorType !== "user" ? { actor: e.actor, ...e.metadata } : (e.metadata ?? null),
    reason: e.reason ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    ip: e.ip ?? null,
  });
}
