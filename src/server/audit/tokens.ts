import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { sha256Hex } from "@/lib/crypto";
import { DomainError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { Db, DbOrTx } from "@/server/db/client";
import { adminApiTokens } from "@/server/db/schema";
import { recordAudit } from "./index";

/**
 * Admin API tokens: bearer secrets for the admin API (`GET /api/admin/audit-log`), for scripts
 * and exports without a browser session. `stlr_admin_` + 43 base64url characters (256 random
 * bits); only their SHA-256 is stored, the secret is shown once. Issuing and revoking are audited
 * in the same transaction.
 */
const TOKEN_PREFIX = "stlr_admin_";
const TOKEN_PATTERN = /^stlr_admin_[A-Za-z0-9_-]{43}$/;

export interface AdminTokenView {
  id: string;
  name: string;
  start: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const view = (r: typeof adminApiTokens.$inferSelect): AdminTokenView => ({
  id: r.id,
  name: r.name,
  start: r.start,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

interface Who {
  actor: string;
  ip?: string | null;
}

/** Issues a token: returns it with its secret, which is never shown again. */
export async function issueAdminToken(db: Db, input: Who & { name: string }): Promise<{ token: AdminTokenView; secret: string }> {
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(adminApiTokens)
      .values({ id: newId("atk"), name: input.name, tokenHash: sha256Hex(secret), start: secret.slice(0, TOKEN_PREFIX.length + 4), createdBy: input.actor })
      .returning();
    const token = view(row!);
    await recordAudit(tx, {
      actor: input.actor,
      action: "admin_token.issue",
      targetType: "admin_api_token",
      targetId: token.id,
      after: { name: token.name, start: token.start },
      ip: input.ip,
    });
    return { token, secret };
  });
}

/** Revokes a token (at once: its next request is refused). A token already revoked is returned as it is (nothing new to audit). */
export async function revokeAdminToken(db: Db, input: Who & { id: string; reason?: string | null }): Promise<AdminTokenView> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(adminApiTokens).where(eq(adminApiTokens.id, input.id)).for("update");
    if (!current) throw new DomainError("resource_not_found", `No admin token ${input.id}`, { param: "id" });
    if (current.revokedAt) return view(current);
    const [row] = await tx
      .update(adminApiTokens)
      .set({ revokedAt: new Date(), revokedBy: input.actor })
      .where(and(eq(adminApiTokens.id, input.id), isNull(adminApiTokens.revokedAt)))
      .returning();
    await recordAudit(tx, {
      actor: input.actor,
      action: "admin_token.revoke",
      targetType: "admin_api_token",
      targetId: input.id,
      reason: input.reason ?? null,
      before: { name: current.name, start: current.start, revokedAt: null },
      after: { name: current.name, start: current.start, revokedAt: row!.revokedAt!.toISOString() },
      ip: input.ip,
    });
    return view(row!);
  });
}

/** Every token, newest first (never the secret nor its hash). */
export async function listAdminTokens(db: DbOrTx): Promise<AdminTokenView[]> {
  const rows = await db.select().from(adminApiTokens).orderBy(desc(adminApiTokens.createdAt));
  return rows.map(view);
}

/** The active token a presented secret is, or null (malformed, unknown or revoked); notes its use (to the minute). */
export async function verifyAdminToken(db: DbOrTx, presented: string): Promise<AdminTokenView | null> {
  if (!TOKEN_PATTERN.test(presented)) return null;
  const [row] = await db
    .select()
    .from(adminApiTokens)
    .where(eq(adminApiTokens.tokenHash, sha256Hex(presented)));
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000)
    await db.update(adminApiTokens).set({ lastUsedAt: new Date() }).where(eq(adminApiTokens.id, row.id));
  return view(row);
}
