import { sql } from "drizzle-orm";
import { envValue } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { hashPassword } from "@/server/auth/password";
import type { Db } from "@/server/db/client";
import { recordAudit } from "@/server/audit";
import { requestEmail } from "@/server/email";
import { memberships, partners, users } from "@/server/db/schema";
import { createApiKey } from "@/server/keys";
import { grantSandboxFunds } from "@/server/ledger";
import { recordMilestone } from "./activation";

/** Signups per client IP, for the API and the signup page alike: 5, then one more every 12 minutes. */
/** Signups per client IP: a burst of SIGNUP_RATE_BURST (5 unless set), then one per 12 minutes. */
export const SIGNUP_IP_RATE = { bucket: "signup", rule: () => ({ capacity: envValue("SIGNUP_RATE_BURST"), refillPerSecond: 1 / 720 }) } as const;

export class SignupError extends DomainError<"email_taken"> {
  constructor(code: "email_taken", message: string) {
    super(code, message, { param: "email" });
    this.name = "SignupError";
  }
}

export interface SignupInput {
  companyName: string;
  contactName: string;
  email: string;
  password: string;
  country: string;
}

/**
 * Self-service signup: the partner, its owner, the sandbox grant of fake USD and a sandbox API
 * key, and the request for the welcome email (with its verification link), all in one
 * transaction — the new partner can order at once. The key's secret is in the
 * result only.
 */
export async function signUpPartner(db: Db, input: SignupInput) {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [taken] = await tx.execute<{ id: string }>(sql`select id from users where lower(email) = ${email} limit 1`);
    if (taken) throw new SignupError("email_taken", "An account with this email already exists: sign in instead");
    const partnerId = newId("ptn");
    const userId = newId("usr");
    const [partner] = await tx
      .insert(partners)
      .values({
        id: partnerId,
        businessName: input.companyName.trim(),
        contactEmail: email,
        country: input.country.toUpperCase(),
        onboardingState: "sandbox_active",
        signupSource: "self_service",
        createdBy: userId,
      })
      .returning();
    await tx.insert(users).values({ id: userId, email, name: input.contactName.trim(), passwordHash, createdBy: "signup" }).onConflictDoNothing();
    const [owner] = await tx.execute<{ id: string }>(sql`select id from users where id = ${userId}`);
    if (!owner) throw new SignupError("email_taken", "An account with this email already exists: sign in instead");
    await tx.insert(memberships).values({ id: newId("mem"), userId, partnerId, role: "owner" });
    const grant = await grantSandboxFunds(tx, partnerId, { actor: "system:signup" });
    const { key, secret } = await createApiKey(tx, { partnerId, environment: "sandbox", name: "Default sandbox key", actor: userId });
    await recordAudit(tx, { actor: userId, partnerId, action: "partner.signed_up", targetType: "partner", targetId: partnerId });
    await recordMilestone(tx, partnerId, "signed_up");
    // Sent after the commit by the email-send function, with its verification link.
    await requestEmail(tx, {
      to: email,
      partnerId,
      template: "welcome",
      userId,
      params: { name: input.contactName.trim(), companyName: input.companyName.trim() },
      key: `welcome:${userId}`,
    });
    return {
      partner: partner!,
      userId,
      apiKey: { id: key.id, start: key.start, secret },
      sandboxGrant: { amount: grant.transfer.amount, currency: grant.transfer.currency },
    };
  });
}
