import { count, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { memberships, partners, users } from "@/server/db/schema";

/** All partners, newest first, with their member counts (admin view). */
export async function listPartners(db: DbOrTx) {
  return db
    .select({
      id: partners.id,
      businessName: partners.businessName,
      contactEmail: partners.contactEmail,
      status: partners.status,
      onboardingState: partners.onboardingState,
      createdAt: partners.createdAt,
      members: count(memberships.id),
    })
    .from(partners)
    .leftJoin(memberships, eq(memberships.partnerId, partners.id))
    .groupBy(partners.id)
    .orderBy(desc(partners.createdAt));
}

/** One partner's profile and team, scoped to that partner. */
export async function getPartnerOverview(db: DbOrTx, partnerId: string) {
  const [partner] = await db.select().from(partners).where(eq(partners.id, partnerId)).limit(1);
  if (!partner) return null;
  const team = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.partnerId, partnerId))
    .orderBy(users.name);
  return { partner, team };
}
