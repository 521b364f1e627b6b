import { and, desc, eq, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { GoLiveBody } from "@/lib/schemas/go-live";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx } from "@/server/db/client";
import { goLiveRequests, partners, users } from "@/server/db/schema";
import { requestEmail } from "@/server/email";
import { recordMilestone } from "./activation";

/**
 * Going live: an owner asks for live access with the company's details; an admin approves or
 * rejects the request with a reason; the partner is emailed and the milestone recorded. Live
 * access is `partners.onboarding_state = 'live'`: until then no live API key can be created
 * (`assertLiveAccess`, called at the key-creation boundaries).
 */
export type GoLiveRequest = typeof goLiveRequests.$inferSelect;

async function hasLiveAccess(db: DbOrTx, partnerId: string): Promise<boolean> {
  const [p] = await db.select({ state: partners.onboardingState }).from(partners).where(eq(partners.id, partnerId));
  return p?.state === "live";
}

/** Throws live_access_required unless the partner's go-live request was approved. */
export async function assertLiveAccess(db: DbOrTx, partnerId: string): Promise<void> {
  if (!(await hasLiveAccess(db, partnerId))) {
    throw new DomainError(
      "live_access_required",
      "Live API keys are available once your go-live request is approved: request live access from the dashboard (Go live).",
      { param: "environment" },
    );
  }
}

/**
 * An owner's request for live access. Needs the requester's verified email; refused while a
 * request waits or once live. Moves the partner to `kyc_pending` and records `go_live_requested`.
 */
export async function requestGoLive(db: Db, input: { partnerId: string; userId: string; details: GoLiveBody }): Promise<GoLiveRequest> {
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, input.userId));
    if (!user?.verifiedAt) {
      throw new DomainError("email_not_verified", "Verify your email address first: follow the link in the welcome email, then request live access.");
    }
    // Locks the partner row: two requests at once are decided one after the other.
    const [partner] = await tx.execute<{ state: string }>(sql`select onboarding_state as state from ${partners} where id = ${input.partnerId} for update`);
    if (!partner) throw new DomainError("resource_not_found", "Partner not found.");
    if (partner.state === "live") throw new DomainError("go_live_pending", "Your account already has live access.");
    const [pending] = await tx
      .select({ id: goLiveRequests.id })
      .from(goLiveRequests)
      .where(and(eq(goLiveRequests.partnerId, input.partnerId), eq(goLiveRequests.status, "pending")));
    if (pending) throw new DomainError("go_live_pending", "Your go-live request is waiting for review: we will email you the decision.");
    const d = input.details;
    const [row] = await tx
      .insert(goLiveRequests)
      .values({
        id: newId("glr"),
        partnerId: input.partnerId,
        legalName: d.legalName,
        registrationNumber: d.registrationNumber,
        website: d.website,
        expectedMonthlyVolume: d.expectedMonthlyVolume,
        useCase: d.useCase,
        requestedBy: input.userId,
      })
      .returning();
    await tx
      .update(partners)
      .set({ onboardingState: "kyc_pending", registrationNumber: d.registrationNumber, updatedBy: input.userId, updatedAt: new Date() })
      .where(eq(partners.id, input.partnerId));
    await recordMilestone(tx, input.partnerId, "go_live_requested");
    await recordAudit(tx, { actor: input.userId, partnerId: input.partnerId, action: "go_live.requested", targetType: "go_live_request", targetId: row!.id });
    return row!;
  });
}

/**
 * An admin's decision (the caller checks the admin: adminProcedure). Approving grants live access
 * and records `go_live_approved`; rejecting returns the partner to the sandbox so it may ask again.
 * Either way the requester (and the partner's contact) is emailed after the commit.
 */
export async function decideGoLive(
  db: Db,
  input: { requestId: string; actor: string; decision: "approve" | "reject"; reason: string; ip?: string | null },
): Promise<GoLiveRequest> {
  const reason = input.reason.trim();
  if (input.decision === "reject" && !reason) throw new DomainError("invalid_parameter", "Give the partner a reason for the rejection.", { param: "reason" });
  return db.transaction(async (tx) => {
    const status = input.decision === "approve" ? "approved" : "rejected";
    const [row] = await tx
      .update(goLiveRequests)
      .set({ status, decidedBy: input.actor, decisionReason: reason || null, decidedAt: new Date() })
      .where(and(eq(goLiveRequests.id, input.requestId), eq(goLiveRequests.status, "pending")))
      .returning();
    if (!row) {
      const [exists] = await tx.select({ status: goLiveRequests.status }).from(goLiveRequests).where(eq(goLiveRequests.id, input.requestId));
      if (!exists) throw new DomainError("go_live_request_not_found", `No go-live request ${input.requestId}.`, { param: "requestId" });
      throw new DomainError("go_live_already_decided", `The go-live request was already ${exists.status}.`);
    }
    const [previous] = await tx.select({ onboardingState: partners.onboardingState }).from(partners).where(eq(partners.id, row.partnerId)).for("update");
    const [partner] = await tx
      .update(partners)
      .set({ onboardingState: status === "approved" ? "live" : "sandbox_active", updatedBy: input.actor, updatedAt: new Date() })
      .where(eq(partners.id, row.partnerId))
      .returning({ businessName: partners.businessName, contactEmail: partners.contactEmail, onboardingState: partners.onboardingState });
    if (status === "approved") await recordMilestone(tx, row.partnerId, "go_live_approved");
    const [requester] = await tx.select({ email: users.email }).from(users).where(eq(users.id, row.requestedBy));
    const to = requester?.email ?? partner?.contactEmail;
    if (to) {
      await requestEmail(tx, {
        to,
        partnerId: row.partnerId,
        template: "go_live_decided",
        params: { companyName: partner?.businessName ?? row.legalName, decision: status, reason },
        key: `go_live_decided:${row.id}`,
      });
    }
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: row.partnerId,
      action: `go_live.${status}`,
      targetType: "go_live_request",
      targetId: row.id,
      metadata: { reason },
      reason: reason || null,
      before: { status: "pending", onboardingState: previous?.onboardingState ?? null },
      after: { status, onboardingState: partner?.onboardingState ?? null },
      ip: input.ip,
    });
    return row;
  });
}

/** What the dashboard's Go live page shows: access, the latest request, and whether this user may ask. */
export async function goLiveStatus(db: DbOrTx, partnerId: string, userId: string) {
  const [[partner], [latest], [user]] = await Promise.all([
    db.select({ state: partners.onboardingState }).from(partners).where(eq(partners.id, partnerId)),
    db.select().from(goLiveRequests).where(eq(goLiveRequests.partnerId, partnerId)).orderBy(desc(goLiveRequests.createdAt), desc(goLiveRequests.id)).limit(1),
    db.select({ verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, userId)),
  ]);
  return { live: partner?.state === "live", emailVerified: Boolean(user?.verifiedAt), latest: latest ?? null };
}

/** Go-live requests for the admins, pending first then newest, with the partner's name. */
export async function listGoLiveRequests(db: DbOrTx, opts: { status?: "pending" | "approved" | "rejected"; limit?: number } = {}) {
  return db
    .select({ request: goLiveRequests, businessName: partners.businessName })
    .from(goLiveRequests)
    .innerJoin(partners, eq(partners.id, goLiveRequests.partnerId))
    .where(opts.status ? eq(goLiveRequests.status, opts.status) : undefined)
    .orderBy(sql`(${goLiveRequests.status} = 'pending') desc`, desc(goLiveRequests.createdAt))
    .limit(Math.min(Math.max(opts.limit ?? 50, 1), 200));
}
