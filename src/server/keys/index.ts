import { randomBytes } from "node:crypto";
import { and, desc, eq, getTableColumns, isNull, sql, type SQL } from "drizzle-orm";
import { sha256Hex } from "@/lib/crypto";
import { DomainError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { ipAllowed, parseCidr } from "@/lib/ip";
import type { DbOrTx } from "@/server/db/client";
import { rowFromDriver } from "@/server/db/rows";
import { recordAudit } from "@/server/audit";
import { apiKeys, partners, requestLogs } from "@/server/db/schema";

export type KeyEnvironment = "sandbox" | "live";
export type ApiKey = typeof apiKeys.$inferSelect;

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const SECRET_LENGTH = 32;
const KEY_PATTERN = /^stlr_(test|live)_[1-9A-HJ-NP-Za-km-z]{32}$/;

const keyPrefix = (environment: KeyEnvironment) => (environment === "sandbox" ? "stlr_test_" : "stlr_live_");

function base58(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 232 && out.length < length) out += BASE58[b % 58]; // 232 = 4·58: no modulo bias
    }
  }
  return out;
}

/** An unknown key is `resource_not_found` (param `id`), as the API answers it. */
export type KeyErrorCode = "invalid_ip_allowlist" | "resource_not_found" | "key_not_self" | "invalid_overlap" | "invalid_parameter";

export class KeyError extends DomainError<KeyErrorCode> {
  constructor(code: KeyErrorCode, message: string, param?: string) {
    super(code, message, { param });
    this.name = "KeyError";
  }
}

function normaliseAllowlist(ranges: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const r of ranges) {
    if (!parseCidr(r)) throw new KeyError("invalid_ip_allowlist", `"${r}" is not an IPv4/IPv6 address or CIDR range`, "ipAllowlist");
    out.push(r.trim());
  }
  return out;
}

/** The public view of a key: never the secret nor its hash. */
export function presentKey(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    environment: k.environment,
    mode: k.environment === "sandbox" ? ("test" as const) : ("live" as const),
    start: k.start,
    ipAllowlist: k.ipAllowlist,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
    // "rotating": replaced by a rotation and still working for its overlap; an expiry chosen at creation leaves a key "active".
    status: (k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt.getTime() <= Date.now() ? "expired" : k.rotatedToId ? "rotating" : "active") as
      | "active"
      | "rotating"
      | "expired"
      | "revoked",
  };
}

/**
 * Creates a key; the full secret is in the result only, shown once, and stored as a hash. An
 * `expiresAt` (in the future) ends the key then: requests with it answer 401 expired_api_key.
 */
export async function createApiKey(
  db: DbOrTx,
  input: {
    partnerId: string;
    environment: KeyEnvironment;
    name?: string | null;
    ipAllowlist?: string[];
    expiresAt?: Date | null;
    actor: string;
    /** The acting request's client IP, for the audit entry. */
    ip?: string | null;
  },
): Promise<{ key: ApiKey; secret: string }> {
  if (input.expiresAt && !(input.expiresAt.getTime() > Date.now())) throw new KeyError("invalid_parameter", "The expiry must be in the future", "expiresAt");
  const [owner] = await db.select({ kind: partners.kind }).from(partners).where(eq(partners.id, input.partnerId));
  if (owner?.kind === "sub_agent") {
    throw new DomainError("sub_agent_api_refused", "Sub-agents sell through the dashboard only: they have no API keys.");
  }
  const secret = keyPrefix(input.environment) + base58(SECRET_LENGTH);
  const [key] = await db
    .insert(apiKeys)
    .values({
      id: newId("key"),
      partnerId: input.partnerId,
      environment: input.environment,
      name: input.name ?? null,
      start: secret.slice(0, keyPrefix(input.environment).length + 4),
      hash: sha256Hex(secret),
      ipAllowlist: normaliseAllowlist(input.ipAllowlist),
      expiresAt: input.expiresAt ?? null,
      createdBy: input.actor,
    })
    .returning();
  await recordAudit(db, {
    actor: input.actor,
    partnerId: input.partnerId,
    action: "api_key.created",
    targetType: "api_key",
    targetId: key!.id,
    after: { environment: key!.environment, name: key!.name, start: key!.start, ipAllowlist: key!.ipAllowlist },
    ip: input.ip,
  });
  return { key: key!, secret };
}

export type KeyVerification =
  | { status: "valid"; key: ApiKey }
  | { status: "malformed" | "not_found" | "revoked" | "expired" | "partner_suspended" | "sub_agent" }
  | { status: "ip_not_allowed"; key: ApiKey };

/**
 * What a presented key is stored and looked up by: the SHA-256 of the whole key, so comparison
 * time does not depend on the secret; null when the key is malformed.
 */
export function apiKeyHash(presented: string): string | null {
  return KEY_PATTERN.test(presented) ? sha256Hex(presented) : null;
}

/** The key stored with `hash` and its partner's status, or null. */
export async function findApiKey(db: DbOrTx, hash: string): Promise<FoundApiKey | null> {
  const [row] = await db.execute<Record<string, unknown>>(apiKeyLookup(hash));
  return row ? apiKeyFromRow(row) : null;
}

const keyColumns = Object.values(getTableColumns(apiKeys));

/**
 * The key stored with `hash` (see `apiKeyHash`) with its partner's status, as the body of a
 * common table expression, so a caller can make it part of a larger statement (the rate limiter
 * takes the key's token in the same round trip: `findApiKeyTakingTokens`). Its row has the key's
 * columns, `partner_status`, and `usable` (not revoked, partner active: worth spending a token
 * on); read it back with `apiKeyFromRow`.
 */
export function apiKeyLookup(hash: string): SQL {
  return sql`select ${sql.join(
    keyColumns.map((c) => sql`k.${sql.identifier(c.name)}`),
    sql`, `,
  )}, p.status as partner_status, p.kind::text as partner_kind,
      (k.revoked_at is null and p.status = 'active' and p.kind::text <> 'sub_agent') as usable
    from ${apiKeys} k join ${partners} p on p.id = k.partner_id
    where k.hash = ${hash} limit 1`;
}

export interface FoundApiKey {
  key: ApiKey;
  partnerStatus: string;
  /** direct | agent | sub_agent: a sub-agent's key is refused (sub-agents sell through the dashboard only). */
  partnerKind: string;
}

/** A row of `apiKeyLookup`, through the schema's own column mappers. */
export function apiKeyFromRow(row: Record<string, unknown>): FoundApiKey {
  return { key: rowFromDriver(apiKeys, row), partnerStatus: String(row.partner_status), partnerKind: String(row.partner_kind) };
}

/**
 * Verifies a key, in a fixed order: well-formed (`apiKeyHash`) → exists (`findApiKey`) → not
 * revoked → not expired → partner active → not a sub-agent's → IP allowed. The caller maps the status to a response;
 * nothing else decides.
 */
export function judgeApiKey(found: FoundApiKey | null, ip: string): KeyVerification {
  if (!found) return { status: "not_found" };
  const { key } = found;
  if (key.revokedAt) return { status: "revoked" };
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) return { status: "expired" };
  if (found.partnerStatus !== "active") return { status: "partner_suspended" };
  if (found.partnerKind === "sub_agent") return { status: "sub_agent" };
  if (key.ipAllowlist.length > 0 && !ipAllowed(ip, key.ipAllowlist)) return { status: "ip_not_allowed", key };
  return { status: "valid", key };
}

/** Records use, at most once a minute per key (a write per request would cost throughput). */
export async function touchApiKey(db: DbOrTx, keyId: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - interval '1 minute')`));
}

export async function listApiKeys(db: DbOrTx, partnerId: string, environment?: KeyEnvironment) {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.partnerId, partnerId), environment ? eq(apiKeys.environment, environment) : undefined))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(presentKey);
}

/** A key within this long of its expiry is "expiring soon". */
const EXPIRING_SOON_MS = 7 * 86_400_000;

type KeyBadge = "active" | "rotating" | "expiring_soon" | "expired" | "revoked" | "rate_limited";

/**
 * The dashboard's keys: the public view, plus how many of the key's requests were refused with
 * 429 in the last 24 hours (counted in SQL from the request log, matched on the partner,
 * environment and the key's `start`) and the badges that follow: revoked / expired / active or
 * rotating, expiring soon (≤ 7 days left), rate-limited recently (any 429 in 24 h).
 */
export async function listApiKeysWithActivity(db: DbOrTx, partnerId: string, environment?: KeyEnvironment) {
  const rows = await db
    .select({
      key: apiKeys,
      rateLimited24h: sql<number>`(select count(*) from ${requestLogs} r
        where r.partner_id = ${apiKeys.partnerId} and r.environment = ${apiKeys.environment}::text and r.key_start = ${apiKeys.start}
          and r.status = 429 and r.created_at > now() - interval '24 hours')::int`,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.partnerId, partnerId), environment ? eq(apiKeys.environment, environment) : undefined))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  const now = Date.now();
  return rows.map(({ key, rateLimited24h }) => {
    const view = presentKey(key);
    const badges: KeyBadge[] = [];
    if (view.status === "revoked" || view.status === "expired") badges.push(view.status);
    else {
      badges.push(view.status);
      if (key.expiresAt && key.expiresAt.getTime() - now <= EXPIRING_SOON_MS) badges.push("expiring_soon");
    }
    if (rateLimited24h > 0) badges.push("rate_limited");
    return { ...view, rateLimited24h, badges };
  });
}

/** Where a partner manages all of its keys; the API lets a key manage only itself. */
const KEYS_DASHBOARD_PATH = "/dashboard/api-keys";

/**
 * Through the API a key may rotate or revoke only itself: another key of the same partner and
 * environment is refused with key_not_self (manage it in the dashboard), and any other id is
 * not found (nothing said about keys the caller cannot see).
 */
export async function assertSelfManaged(
  db: DbOrTx,
  input: { partnerId: string; environment: KeyEnvironment; actingKeyId: string; keyId: string },
): Promise<void> {
  if (input.keyId === input.actingKeyId) return;
  const [sibling] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, input.keyId), eq(apiKeys.partnerId, input.partnerId), eq(apiKeys.environment, input.environment)));
  if (!sibling) throw new KeyError("resource_not_found", `No API key ${input.keyId}`, "id");
  throw new KeyError(
    "key_not_self",
    `An API key can rotate or revoke only itself (this request used ${input.actingKeyId}); manage ${input.keyId} and your other keys in the dashboard at ${KEYS_DASHBOARD_PATH}`,
    "id",
  );
}

/**
 * Rotation: a new secret with the same settings; the old key keeps working for `overlapSeconds`
 * (default 24 h, 0 = stops now), never beyond an expiry it already had.
 */
export async function rotateApiKey(
  db: DbOrTx,
  input: { partnerId: string; keyId: string; overlapSeconds?: number; actor: string; environment?: KeyEnvironment },
): Promise<{ key: ApiKey; secret: string; previous: ApiKey }> {
  const overlap = input.overlapSeconds ?? 24 * 3600;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 24 * 3600) {
    throw new KeyError("invalid_overlap", "overlapSeconds must be a whole number of seconds between 0 and 2592000 (30 days)");
  }
  const run = async (tx: DbOrTx) => {
    const [old] = await tx
      .select()
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.id, input.keyId),
          eq(apiKeys.partnerId, input.partnerId),
          input.environment ? eq(apiKeys.environment, input.environment) : undefined,
          isNull(apiKeys.revokedAt),
        ),
      )
      .for("update");
    if (!old || (old.expiresAt && old.expiresAt.getTime() <= Date.now())) throw new KeyError("resource_not_found", `No active API key ${input.keyId}`, "id");
    // Same settings, the expiry included when it was chosen at creation (not one left by an earlier rotation).
    const created = await createApiKey(tx, {
      partnerId: old.partnerId,
      environment: old.environment,
      name: old.name,
      ipAllowlist: old.ipAllowlist,
      expiresAt: old.rotatedToId ? null : old.expiresAt,
      actor: input.actor,
    });
    const until = new Date(Date.now() + overlap * 1000);
    const expiresAt = old.expiresAt && old.expiresAt < until ? old.expiresAt : until;
    const [previous] = await tx.update(apiKeys).set({ expiresAt, rotatedToId: created.key.id }).where(eq(apiKeys.id, old.id)).returning();
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: old.partnerId,
      action: "api_key.rotated",
      targetType: "api_key",
      targetId: old.id,
      metadata: { replacedBy: created.key.id, oldKeyWorksUntil: expiresAt.toISOString() },
    });
    return { ...created, previous: previous! };
  };
  return (db as { transaction: <T>(f: (tx: DbOrTx) => Promise<T>) => Promise<T> }).transaction(run);
}

export async function revokeApiKey(db: DbOrTx, input: { partnerId: string; keyId: string; actor: string; reason?: string | null; ip?: string | null }) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, input.keyId), eq(apiKeys.partnerId, input.partnerId), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) throw new KeyError("resource_not_found", `No active API key ${input.keyId}`, "id");
  await recordAudit(db, {
    actor: input.actor,
    partnerId: input.partnerId,
    action: "api_key.revoked",
    targetType: "api_key",
    targetId: row.id,
    reason: input.reason,
    ip: input.ip,
  });
  return presentKey(row);
}
