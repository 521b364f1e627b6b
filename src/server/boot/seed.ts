import { sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { hashPassword } from "@/server/auth/password";
import type { Db } from "@/server/db/client";
import { memberships, partners, users } from "@/server/db/schema";

export const DEMO_CREDENTIALS = {
  admin: { email: "admin@steller.local", password: "steller-admin-demo", name: "Ada Admin" },
  partnerOwner: { email: "owner@demo-partner.local", password: "steller-partner-demo", name: "Olu Owner" },
  partnerName: "Demo Gifts Ltd",
} as const;

/** Development seed: one platform admin and one demo partner with its owner. Idempotent. */
export async function seedDevelopment(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const [existing] = await tx.execute<{ id: string }>(
      sql`select id from users where lower(email) = ${DEMO_CREDENTIALS.admin.email}`,
    );
    if (existing) return;
    await tx.insert(users).values({
      id: newId("usr"),
      email: DEMO_CREDENTIALS.admin.email,
      name: DEMO_CREDENTIALS.admin.name,
      passwordHash: await hashPassword(DEMO_CREDENTIALS.admin.password),
      platformRole: "admin",
      createdBy: "seed",
    });
    const partnerId = newId("ptn");
    await tx.insert(partners).values({
      id: partnerId,
      businessName: DEMO_CREDENTIALS.partnerName,
      contactEmail: DEMO_CREDENTIALS.partnerOwner.email,
      country: "GB",
      onboardingState: "sandbox_active",
      signupSource: "seed",
      createdBy: "seed",
    });
    const ownerId = newId("usr");
    await tx.insert(users).values({
      id: ownerId,
      email: DEMO_CREDENTIALS.partnerOwner.email,
      name: DEMO_CREDENTIALS.partnerOwner.name,
      passwordHash: await hashPassword(DEMO_CREDENTIALS.partnerOwner.password),
      createdBy: "seed",
    });
    await tx.insert(memberships).values({ id: newId("mem"), userId: ownerId, partnerId, role: "owner" });
  });
}
