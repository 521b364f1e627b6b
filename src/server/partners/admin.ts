import { and, desc, eq, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx } from "@/server/db/client";
import { auditLog, goLiveRequests, ledgerAccounts, orders, partners } from "@/server/db/schema";
import { createApiKey, listApiKeysWithActivity, presentKey, revokeApiKey } from "@/server/keys";
import { createInvitation, listOpenInvitations } from "@/server/team/invitations";
import { onboardingChecklist, recordMilestone } from "./activation";
import { assertLiveAccess } from "./golive";
import { getPartnerOverview } from "./queries";

/**
 * The admin side of partners: the searchable list (balances and last activity in one SQL
 * statement), one partner's detail, manual onboarding, profile edits and suspension. Every
 * change is audited in its own transaction with before/after, the reason and the admin's IP.
 */

export type PartnerStatus = "active" | "suspended";
export type OnboardingState = "signed_up" | "sandbox_active" | "kyc_pending" | "live";

export interface PartnerListFilters {
  /** Matches the business name, the contact email or a member's email (substring), or the exact id. */
  q?: string;
  status?: PartnerStatus;
  onboarding?: OnboardingState;
  /** The last id of the previous page. */
  after?: string;
  limit?: number;
}

export interface WalletBalance {
  environment: "sandbox" | "live";
  currency: string;
  balance: string;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Partners, newest first, a page at a time (cursor: the last id), each with its wallet balances
 * per environment and currency and its last activity (last order, API request or member
 * sign-in): one statement, the aggregates as correlated subqueries on indexed columns.
 */
export async function searchPartners(db: DbOrTx, filters: PartnerListFilters = {}) {
  const limit = Math.min(Math.max(filters.limit ?? 25, 1), 100);
  const q = filters.q?.trim();
  const where = sql.join(
    [
      sql`true`,
      q
        ? sql`(p.id = ${q} or p.business_name ilike ${likePattern(q)} or p.contact_email ilike ${likePattern(q)}
            or exists (select 1 from memberships m join users u on u.id = m.user_id where m.partner_id = p.id and u.email ilike ${likePattern(q)}))`
        : undefined,
      filters.status ? sql`p.status = ${filters.status}` : undefined,
      filters.onboarding ? sql`p.onboarding_state = ${filters.onboarding}` : undefined,
      filters.after ? sql`(p.created_at, p.id) < (select c.created_at, c.id from partners c where c.id = ${filters.after})` : undefined,
    ].filter((x) => x !== undefined),
    sql` and `,
  );
  const rows = await db.execute<{
    id: string;
    business_name: string;
    contact_email: string;
    status: PartnerStatus;
    onboarding_state: OnboardingState;
    signup_source: string;
    created_at: string;
    members: number;
    balances: WalletBalance[];
    last_order_at: string | null;
    last_request_at: string | null;
    last_sign_in_at: string | null;
  }>(sql`
    select p.id, p.business_name, p.contact_email, p.status, p.onboarding_state, p.signup_source, p.created_at,
      (select count(*) from memberships m where m.partner_id = p.id)::int as members,
      coalesce((select json_agg(json_build_object('environment', a.environment, 'currency', a.currency, 'balance', a.balance::text)
          order by a.environment, a.currency)
        from ledger_accounts a where a.partner_id = p.id and a.kind = 'partner_wallet'), '[]'::json) as balances,
      (select max(o.created_at) from orders o where o.partner_id = p.id) as last_order_at,
      (select max(r.created_at) from request_logs r where r.partner_id = p.id) as last_request_at,
      (select max(u.last_login_at) from memberships m join users u on u.id = m.user_id where m.partner_id = p.id) as last_sign_in_at
    from partners p
    where ${where}
    order by p.created_at desc, p.id desc
    limit ${limit + 1}`);
  const page = rows.slice(0, limit).map((r) => {
    const dates = [r.last_order_at, r.last_request_at, r.last_sign_in_at].filter((d): d is string => d !== null).map((d) => new Date(d));
    return {
      id: r.id,
      businessName: r.business_name,
      contactEmail: r.contact_email,
      status: r.status,
      onboardingState: r.onboarding_state,
      signupSource: r.signup_source,
      createdAt: new Date(r.created_at),
      members: r.members,
      balances: r.balances,
      lastOrderAt: r.last_order_at ? new Date(r.last_order_at) : null,
      lastRequestAt: r.last_request_at ? new Date(r.last_request_at) : null,
      lastSignInAt: r.last_sign_in_at ? new Date(r.last_sign_in_at) : null,
      lastActivityAt: dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : null,
    };
  });
  const hasMore = rows.length > limit;
  return { data: page, hasMore, nextCursor: hasMore ? (page[page.length - 1]?.id ?? null) : null };
}

const notFound = (partnerId: string) => new DomainError("resource_not_found", `No partner ${partnerId}.`, { param: "partnerId" });

/** Everything about one partner, for the admin's detail page; null when there is no such partner. */
export async function getPartnerDetail(db: DbOrTx, partnerId: string) {
  const overview = await getPartnerOverview(db, partnerId);
  if (!overview) return null;
  const [onboarding, invitations, wallets, recentOrders, keys, goLive, audit] = await Promise.all([
    onboardingChecklist(db, partnerId),
    listOpenInvitations(db, partnerId),
    db
      .select({ environment: ledgerAccounts.environment, currency: ledgerAccounts.currency, balance: ledgerAccounts.balance })
      .from(ledgerAccounts)
      .where(and(eq(ledgerAccounts.partnerId, partnerId), eq(ledgerAccounts.kind, "partner_wallet")))
      .orderBy(ledgerAccounts.environment, ledgerAccounts.currency),
    db
      .select({
        id: orders.id,
        referenceId: orders.referenceId,
        environment: orders.environment,
        sku: orders.sku,
        status: orders.status,
        totalPrice: orders.totalPrice,
        currency: orders.currency,
        createdAt: orders.createdAt,
      })
      .from(orders)
      .where(eq(orders.partnerId, partnerId))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(10),
    listApiKeysWithActivity(db, partnerId),
    db.select().from(goLiveRequests).where(eq(goLiveRequests.partnerId, partnerId)).orderBy(desc(goLiveRequests.createdAt)).limit(5),
    db
      .select({
        id: auditLog.id,
        at: auditLog.at,
        action: auditLog.action,
        actorUserId: auditLog.actorUserId,
        actorType: auditLog.actorType,
        reason: auditLog.reason,
        targetType: auditLog.targetType,
        targetId: auditLog.targetId,
      })
      .from(auditLog)
      .where(eq(auditLog.partnerId, partnerId))
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(20),
  ]);
  return { partner: overview.partner, team: overview.team, invitations, onboarding, wallets, recentOrders, keys, goLive, audit };
}

/** The profile fields an admin sets by hand (the dashboard's company profile, same meaning). */
export interface PartnerProfile {
  businessName: string;
  contactEmail: string;
  registrationNumber?: string | null;
  phone?: string | null;
  address?: string | null;
  country?: string | null;
}

const PROFILE_KEYS = ["businessName", "contactEmail", "registrationNumber", "phone", "address", "country"] as const;

function normaliseProfile(p: PartnerProfile) {
  return {
    businessName: p.businessName.trim(),
    contactEmail: p.contactEmail.trim().toLowerCase(),
    registrationNumber: p.registrationNumber?.trim() || null,
    phone: p.phone?.trim() || null,
    address: p.address?.trim() || null,
    country: p.country?.trim().toUpperCase() || null,
  };
}

interface Acting {
  actor: string;
  ip?: string | null;
}

/**
 * Manual onboarding: the partner (signup_source "admin", in the sandbox) and an invitation for
 * its owner, emailed with the team invitation's link, in one transaction with its audit entry.
 * `appUrl`: the app's public origin for the email's link.
 */
export async function createPartnerByHand(db: Db, input: Acting & { profile: PartnerProfile; ownerEmail: string; appUrl: string }) {
  const profile = normaliseProfile(input.profile);
  return db.transaction(async (tx) => {
    const [partner] = await tx
      .insert(partners)
      .values({ id: newId("ptn"), ...profile, signupSource: "admin", onboardingState: "signed_up", createdBy: input.actor, updatedBy: input.actor })
      .returning();
    await recordMilestone(tx, partner!.id, "signed_up");
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: partner!.id,
      action: "partner.created",
      targetType: "partner",
      targetId: partner!.id,
      after: { ...profile, status: partner!.status, onboardingState: partner!.onboardingState, ownerEmail: input.ownerEmail.trim().toLowerCase() },
      ip: input.ip,
    });
    // The invitation's own transaction becomes a savepoint of this one: both commit or neither.
    const { invitation } = await createInvitation(tx as unknown as Db, {
      partnerId: partner!.id,
      email: input.ownerEmail,
      role: "owner",
      actor: input.actor,
      appUrl: input.appUrl,
    });
    return { partner: partner!, invitation };
  });
}

/** Edits the profile; the audit entry holds the changed fields before and after (nothing changed: no entry). */
export async function updatePartnerProfile(db: Db, input: Acting & { partnerId: string; profile: PartnerProfile }) {
  const next = normaliseProfile(input.profile);
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(partners).where(eq(partners.id, input.partnerId)).for("update");
    if (!current) throw notFound(input.partnerId);
    const changed = PROFILE_KEYS.filter((k) => (current[k] ?? null) !== next[k]);
    if (changed.length === 0) return { partner: current, changed };
    const [partner] = await tx
      .update(partners)
      .set({ ...next, updatedBy: input.actor, updatedAt: new Date() })
      .where(eq(partners.id, input.partnerId))
      .returning();
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "partner.updated",
      targetType: "partner",
      targetId: input.partnerId,
      before: Object.fromEntries(changed.map((k) => [k, current[k] ?? null])),
      after: Object.fromEntries(changed.map((k) => [k, next[k]])),
      ip: input.ip,
    });
    return { partner: partner!, changed };
  });
}

/**
 * Suspends or reactivates a partner, with a reason (required). Suspended, its API keys answer
 * 403 account_suspended and its members' sessions lose the workspace on their next request
 * (both read the partner's status on every request: nothing to revoke).
 */
export async function setPartnerStatus(db: Db, input: Acting & { partnerId: string; status: PartnerStatus; reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw new DomainError("invalid_parameter", "Give a reason: it is kept in the audit log.", { param: "reason" });
  return db.transaction(async (tx) => {
    const [current] = await tx.select({ status: partners.status }).from(partners).where(eq(partners.id, input.partnerId)).for("update");
    if (!current) throw notFound(input.partnerId);
    if (current.status === input.status) throw new DomainError("partner_status_unchanged", `The partner is already ${input.status}.`);
    const [partner] = await tx
      .update(partners)
      .set({ status: input.status, updatedBy: input.actor, updatedAt: new Date() })
      .where(eq(partners.id, input.partnerId))
      .returning();
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: input.status === "suspended" ? "partner.suspended" : "partner.reactivated",
      targetType: "partner",
      targetId: input.partnerId,
      reason,
      before: { status: current.status },
      after: { status: input.status },
      ip: input.ip,
    });
    return partner!;
  });
}

/**
 * An admin issues a key for a partner (the partner's own rules: a live key needs live access; the
 * same allowlist checks): the secret is in the result only, shown once. Key and audit entry
 * commit together.
 */
export async function issuePartnerKey(
  db: Db,
  input: Acting & { partnerId: string; environment: "sandbox" | "live"; name?: string | null; ipAllowlist?: string[]; expiresAt?: Date | null },
) {
  return db.transaction(async (tx) => {
    const [partner] = await tx.select({ id: partners.id }).from(partners).where(eq(partners.id, input.partnerId));
    if (!partner) throw notFound(input.partnerId);
    if (input.environment === "live") await assertLiveAccess(tx, input.partnerId);
    const { key, secret } = await createApiKey(tx, { ...input, name: input.name || null });
    return { key: presentKey(key), secret };
  });
}

/** An admin revokes one of a partner's keys (reason optional, kept in the audit entry). */
export async function revokePartnerKey(db: Db, input: Acting & { partnerId: string; keyId: string; reason?: string | null }) {
  return db.transaction((tx) => revokeApiKey(tx, { ...input, reason: input.reason?.trim() || null }));
}
