import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { encryptSecret } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import { hashPassword } from "@/server/auth/password";
import type { Db, DbOrTx } from "@/server/db/client";
import { adminSecondFactors, memberships, partners, users } from "@/server/db/schema";
import { recordMilestone } from "@/server/partners/activation";

/**
 * The local demo's accounts (development and e2e only: production has no seed). The admin's
 * authenticator secret is fixed and public, so local use stays one step: `npm run dev` prints its
 * current code and otpauth:// URL, and e2e/admin.ts computes codes from it.
 */
export const DEMO_CREDENTIALS = {
  admin: { email: "admin@steller.local", password: "steller-admin-demo", name: "Ada Admin", totpSecret: "STELLERDEMOADMINTOTPLOCALONLY234" },
  partnerOwner: { email: "owner@demo-partner.local", password: "steller-partner-demo", name: "Olu Owner" },
  partnerName: "Demo Gifts Ltd",
} as const;

/**
 * Development seed: one platform admin (with the demo authenticator) and one demo partner with its
 * owner. Idempotent; the admin's authenticator is added to a database seeded before it existed.
 */
export async function seedDevelopment(db: Db, encryptionKey: string): Promise<void> {
  await db.transaction(async (tx) => {
    await seedAccounts(tx);
    await tx.execute(sql`
      insert into ${adminSecondFactors} (user_id, secret_ciphertext, confirmed_at)
      select id, ${encryptSecret(DEMO_CREDENTIALS.admin.totpSecret, encryptionKey)}, now() from users where lower(email) = ${DEMO_CREDENTIALS.admin.email}
      on conflict (user_id) do nothing`);
  });
}

async function seedAccounts(tx: DbOrTx): Promise<void> {
  const [existing] = await tx.execute<{ id: string }>(sql`select id from users where lower(email) = ${DEMO_CREDENTIALS.admin.email}`);
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
  await recordMilestone(tx, partnerId, "signed_up");
}

/**
 * The rest of the local demo, idempotent: the mock vendor's catalog, a first catalog sync (as a
 * background job), the demo partner's sandbox funds, and a sandbox API key whose secret is kept
 * in the local data folder so the banner can print it on every start.
 */
export async function seedDemoSandbox(db: Db, dataDir: string): Promise<{ sandboxKey: string | null }> {
  const [{ seedMockVendor }, { grantSandboxFunds }, { createApiKey }, { enqueueEvent }] = await Promise.all([
    import("@/server/supplier/mock"),
    import("@/server/ledger"),
    import("@/server/keys"),
    import("@/server/outbox"),
  ]);
  await seedMockVendor(db);
  const [{ n }] = (await db.execute<{ n: number }>(sql`select count(*)::int as n from catalog_products`)) as unknown as [{ n: number }];
  if (n === 0) await enqueueEvent(db, { name: "catalog/sync.requested", data: { source: "manual", requestedBy: "seed" }, id: "seed-catalog-sync" });
  const [partner] = await db.execute<{ id: string }>(
    sql`select p.id from partners p join memberships m on m.partner_id = p.id join users u on u.id = m.user_id where lower(u.email) = ${DEMO_CREDENTIALS.partnerOwner.email}`,
  );
  if (!partner) return { sandboxKey: null };
  await grantSandboxFunds(db, partner.id, { actor: "seed" });
  const file = path.join(dataDir, "dev-secrets.json");
  const secrets = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>) : {};
  if (!secrets.DEMO_SANDBOX_KEY) {
    const { secret } = await createApiKey(db, { partnerId: partner.id, environment: "sandbox", name: "Demo sandbox key", actor: "seed" });
    secrets.DEMO_SANDBOX_KEY = secret;
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return { sandboxKey: secrets.DEMO_SANDBOX_KEY };
}
