import { z } from "zod";

/**
 * The go-live request: what the dashboard's form checks inline and what the tRPC procedure
 * accepts, so the two never disagree. Safe for the browser (zod only). The expected monthly
 * volume is a decimal string in USD (money is never a float).
 */
export const goLiveBody = z.strictObject({
  legalName: z.string().trim().min(2, "must be at least 2 characters").max(200, "must be at most 200 characters"),
  registrationNumber: z.string().trim().min(2, "must be at least 2 characters").max(64, "must be at most 64 characters"),
  website: z
    .string()
    .trim()
    .max(300, "must be at most 300 characters")
    .regex(/^https?:\/\/[^\s/?#]+\.[^\s/?#]+(\/\S*)?$/i, "must be a web address such as https://example.com"),
  expectedMonthlyVolume: z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,2})?$/, "must be an amount in USD such as 25000 or 25000.00")
    // Positive when any digit is non-zero: decided on the string, never through a float.
    .refine((v) => /[1-9]/.test(v), "must be more than 0"),
  useCase: z.string().trim().min(20, "must be at least 20 characters: tell us what you will sell and to whom").max(2000, "must be at most 2000 characters"),
});

export type GoLiveBody = z.infer<typeof goLiveBody>;
export type GoLiveField = keyof GoLiveBody;

/** The form's fields in order, with the label the page shows. */
export const GO_LIVE_FIELDS: ReadonlyArray<{ name: GoLiveField; label: string; hint?: string }> = [
  { name: "legalName", label: "Legal company name" },
  { name: "registrationNumber", label: "Company registration number" },
  { name: "website", label: "Website", hint: "https://…" },
  { name: "expectedMonthlyVolume", label: "Expected monthly volume (USD)" },
  { name: "useCase", label: "Use case" },
];

/** Per field, the first problem the schema finds. */
export function goLiveFieldErrors(input: Record<string, unknown>): Partial<Record<GoLiveField, string>> {
  const parsed = goLiveBody.safeParse(input);
  if (parsed.success) return {};
  const errors: Partial<Record<GoLiveField, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as GoLiveField | undefined;
    const def = GO_LIVE_FIELDS.find((f) => f.name === field);
    if (!field || !def || errors[field]) continue;
    const value = input[field];
    const missing = value === undefined || (typeof value === "string" && value.trim() === "");
    errors[field] = missing ? `${def.label} is required` : `${def.label} ${issue.message}`;
  }
  return errors;
}
