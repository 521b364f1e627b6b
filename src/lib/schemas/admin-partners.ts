import { z } from "zod";

/**
 * The admin's partner forms (create by hand, edit, suspend / reactivate) and the list's filters:
 * one zod schema the browser validates with and the procedure checks (admin.partners.*).
 */

export const PARTNER_STATUSES = ["active", "suspended"] as const;
export const ONBOARDING_STATES = ["signed_up", "sandbox_active", "kyc_pending", "live"] as const;

const email = (what: string) =>
  z.string().trim().toLowerCase().min(1, `The ${what} is required.`).max(320).pipe(z.email(`Enter an email address like ana@example.com.`));
const optionalText = (max: number) => z.string().trim().max(max, `At most ${max} characters.`).optional();

const partnerProfileInput = z.object({
  businessName: z.string().trim().min(1, "The business name is required.").max(200, "At most 200 characters."),
  contactEmail: email("contact email"),
  registrationNumber: optionalText(100),
  phone: optionalText(50),
  address: optionalText(500),
  country: z
    .string()
    .trim()
    .regex(/^([A-Za-z]{2})?$/, "Use a 2-letter country code like GB.")
    .optional(),
});

/** Manual onboarding: the business and the address its owner is invited at. */
export const createPartnerInput = partnerProfileInput.extend({ ownerEmail: email("owner's email") });

const partnerId = z.string().trim().min(1).max(64);

export const updatePartnerInput = partnerProfileInput.extend({ partnerId });

export const partnerStatusInput = z.object({
  partnerId,
  reason: z.string().trim().min(1, "Give a reason: it is kept in the audit log.").max(1000, "At most 1000 characters."),
});

export const partnerListInput = z.object({
  q: z.string().trim().max(200).optional(),
  status: z.enum(PARTNER_STATUSES).optional(),
  onboarding: z.enum(ONBOARDING_STATES).optional(),
  after: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(100).default(100),
});
