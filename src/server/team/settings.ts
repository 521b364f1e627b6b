import { eq } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx } from "@/server/db/client";
import { partnerSettings, partners } from "@/server/db/schema";
import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { listLowBalanceThresholds, setLowBalanceThreshold, setWalletLowBalanceThreshold } from "@/server/webhooks/sources";
import type { WebhookEnvironment } from "@/server/webhooks/types";

/** What the settings page shows: profile, contacts, email preferences and the thresholds of one environment. */
export async function getPartnerSettings(db: DbOrTx, partnerId: string, environment: WebhookEnvironment) {
  const [partner] = await db
    .select({
      businessName: partners.businessName,
      registrationNumber: partners.registrationNumber,
      contactEmail: partners.contactEmail,
      phone: partners.phone,
      address: partners.address,
      country: partners.country,
    })
    .from(partners)
    .where(eq(partners.id, partnerId));
  if (!partner) throw new DomainError("resource_not_found", "Partner not found.");
  const [s] = await db.select().from(partnerSettings).where(eq(partnerSettings.partnerId, partnerId));
  const [thresholds, wallets] = await Promise.all([listLowBalanceThresholds(db, partnerId, environment), listPartnerWallets(db, partnerId, environment)]);
  return {
    profile: partner,
    contacts: { billingEmail: s?.billingEmail ?? null, technicalEmail: s?.technicalEmail ?? null },
    emailPreferences: { reEngagement: !(s?.reEngagementOptOut ?? false) },
    thresholds: {
      environment,
      default: thresholds.fallback,
      // Every wallet of the environment, with its own threshold (null: the default applies).
      wallets: wallets.map((w) => ({ currency: w.currency, balance: w.balance, threshold: thresholds.byCurrency[w.currency] ?? null })),
    },
  };
}

export interface CompanyProfileInput {
  businessName: string;
  registrationNumber?: string | null;
  contactEmail: string;
  phone?: string | null;
  address?: string | null;
  country: string;
}

/** Updates the company profile (owners). Audited with the fields that changed. */
export async function updateCompanyProfile(db: Db, input: { partnerId: string; actor: string; profile: CompanyProfileInput }) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(partners).where(eq(partners.id, input.partnerId)).for("update");
    if (!before) throw new DomainError("resource_not_found", "Partner not found.");
    // A field left out (undefined) keeps its value.
    const next = Object.fromEntries(
      Object.entries({ ...input.profile, country: input.profile.country.toUpperCase(), contactEmail: input.profile.contactEmail.toLowerCase() }).filter(
        ([, v]) => v !== undefined,
      ),
    ) as Partial<CompanyProfileInput>;
    const changed = (Object.keys(next) as (keyof CompanyProfileInput)[]).filter((k) => (before[k] ?? null) !== (next[k] ?? null));
    if (changed.length === 0) return { changed };
    await tx
      .update(partners)
      .set({ ...next, updatedAt: new Date(), updatedBy: input.actor })
      .where(eq(partners.id, input.partnerId));
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "settings.profile_updated",
      targetType: "partner",
      targetId: input.partnerId,
      metadata: { changed },
    });
    return { changed };
  });
}

async function upsertSettings(tx: DbOrTx, partnerId: string, set: Partial<typeof partnerSettings.$inferInsert>) {
  await tx
    .insert(partnerSettings)
    .values({ partnerId, ...set })
    .onConflictDoUpdate({ target: partnerSettings.partnerId, set: { ...set, updatedAt: new Date() } });
}

/** Billing and technical contacts (owners); null clears one, undefined keeps it. */
export async function updateContacts(db: Db, input: { partnerId: string; actor: string; billingEmail?: string | null; technicalEmail?: string | null }) {
  await db.transaction(async (tx) => {
    // Left out (undefined): kept as it is.
    const billingEmail = input.billingEmail === undefined ? undefined : (input.billingEmail?.toLowerCase() ?? null);
    const technicalEmail = input.technicalEmail === undefined ? undefined : (input.technicalEmail?.toLowerCase() ?? null);
    await upsertSettings(tx, input.partnerId, { billingEmail, technicalEmail });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "settings.contacts_updated",
      targetType: "partner",
      targetId: input.partnerId,
      metadata: { billingEmail, technicalEmail },
    });
  });
}

/** Email preferences (owners): re-engagement emails on or off; the daily job honours it. */
export async function updateEmailPreferences(db: Db, input: { partnerId: string; actor: string; reEngagement: boolean }) {
  await db.transaction(async (tx) => {
    await upsertSettings(tx, input.partnerId, { reEngagementOptOut: !input.reEngagement });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "settings.email_preferences_updated",
      targetType: "partner",
      targetId: input.partnerId,
      metadata: { reEngagement: input.reEngagement },
    });
  });
}

/**
 * Sets a low-balance threshold (owners): one wallet's (environment + currency; null threshold goes
 * back to the default), or, without a currency, the partner's default. The alert source reads it
 * at the next balance check.
 */
export async function updateLowBalanceThreshold(
  db: Db,
  input: { partnerId: string; actor: string; environment: WebhookEnvironment; currency: string | null; threshold: string | null },
) {
  await db.transaction(async (tx) => {
    if (input.currency === null) {
      if (input.threshold === null) throw new DomainError("invalid_amount", "The default threshold needs an amount.", { param: "threshold" });
      await setLowBalanceThreshold(tx, input.partnerId, input.threshold);
    } else {
      await setWalletLowBalanceThreshold(tx, {
        partnerId: input.partnerId,
        environment: input.environment,
        currency: input.currency,
        threshold: input.threshold,
      });
    }
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.partnerId,
      action: "settings.low_balance_threshold_updated",
      targetType: "partner",
      targetId: input.partnerId,
      metadata: { environment: input.environment, currency: input.currency, threshold: input.threshold },
    });
  });
}
