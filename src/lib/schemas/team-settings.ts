import { z } from "zod";

/** The roles of a partner's members (the dashboard's team page). */
export const MEMBER_ROLES = ["owner", "developer", "finance"] as const;

const email = z.string().trim().toLowerCase().min(1, "An email address is required.").max(320).email("Enter an email address like ana@example.com.");
const optionalEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .nullable()
  .optional()
  .transform((v) => (v === undefined ? undefined : v || null))
  .refine((v) => v == null || z.email().safeParse(v).success, "Enter an email address like billing@example.com.");
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .optional()
    .transform((v) => (v === undefined ? undefined : v || null));

/** Invite a person by email with a role. */
export const inviteInput = z.object({ email, role: z.enum(MEMBER_ROLES) });

/** A new person accepting an invitation: their name and password. */
export const acceptNewInput = z.object({
  name: z.string().trim().min(1, "Your name is required.").max(200),
  password: z.string().min(10, "At least 10 characters.").max(200),
});

/** The company profile (what partners holds); an optional field left out is left as it is, an empty one is cleared. */
export const companyProfileInput = z.object({
  businessName: z.string().trim().min(1, "The business name is required.").max(200),
  registrationNumber: optionalText(100),
  contactEmail: email,
  phone: optionalText(50),
  address: optionalText(500),
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, "Use a 2-letter country code like GB."),
});

/** Billing and technical contacts: empty clears one, left out keeps it. */
export const contactsInput = z.object({ billingEmail: optionalEmail, technicalEmail: optionalEmail });

/** A low-balance threshold: a decimal string (never a float); empty for a currency means "use the default". */
export const thresholdInput = z.object({
  environment: z.enum(["sandbox", "live"]),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, "Use a 3-letter currency code like USD.")
    .nullable(),
  threshold: z
    .string()
    .trim()
    .regex(/^\d{1,15}(\.\d{1,4})?$/, "Enter an amount like 250.00.")
    .nullable(),
});
