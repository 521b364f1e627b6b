import { z } from "zod";

/**
 * The self-service signup input: the body of `POST /api/v1/public/signup` and the rules the
 * signup page checks inline, so the form and the API can never disagree. Safe for the browser
 * (zod only).
 */
export const signupBody = z.strictObject({
  companyName: z.string().trim().min(2, "must be at least 2 characters").max(200, "must be at most 200 characters"),
  contactName: z.string().trim().min(2, "must be at least 2 characters").max(200, "must be at most 200 characters"),
  email: z
    .email({ error: (issue) => (issue.code === "invalid_format" ? "must be an email address such as ada@company.com" : undefined) })
    .max(320, "must be at most 320 characters"),
  password: z.string().min(10, "must be at least 10 characters").max(200, "must be at most 200 characters"),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter ISO country code such as "GB"'),
});

export type SignupBody = z.infer<typeof signupBody>;
export type SignupField = keyof SignupBody;

/** The signup fields in form order, with the label the page shows. */
export const SIGNUP_FIELDS: ReadonlyArray<{ name: SignupField; label: string }> = [
  { name: "companyName", label: "Company name" },
  { name: "contactName", label: "Your name" },
  { name: "email", label: "Work email" },
  { name: "password", label: "Password" },
  { name: "country", label: "Country" },
];

/** Per field, the first problem the schema finds (a missing field reads "… is required"). */
export function signupFieldErrors(input: Record<string, unknown>): Partial<Record<SignupField, string>> {
  const parsed = signupBody.safeParse(input);
  if (parsed.success) return {};
  const errors: Partial<Record<SignupField, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as SignupField | undefined;
    if (!field || errors[field] || !SIGNUP_FIELDS.some((f) => f.name === field)) continue;
    const label = SIGNUP_FIELDS.find((f) => f.name === field)!.label;
    const value = input[field];
    const missing = value === undefined || (typeof value === "string" && value.trim() === "");
    errors[field] = missing ? `${label} is required` : `${label} ${issue.message}`;
  }
  return errors;
}
