import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { memberships, partners, users } from "@/server/db/schema";

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
