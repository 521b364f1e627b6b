import { z } from "zod";

/**
 * The dashboard's API key forms: one zod schema the browser validates with and the procedure
 * checks (`partner.keys.create` / `rotate`). The domain (src/server/keys) checks the same things
 * again, so no caller can skip them.
 */

/** One allowlist row: an IPv4/IPv6 address or CIDR range (checked without node:net, so the browser can run it). */
const IP_SHAPES = [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()];
const ipAllowlistEntry = z
  .string()
  .trim()
  .refine((v) => IP_SHAPES.some((shape) => shape.safeParse(v).success), {
    // One refinement (not a union), so the browser's resolver and the server say the same sentence.
    error: (issue) =>
      issue.input === ""
        ? "Enter an IP address or CIDR range, or remove this row."
        : `"${String(issue.input)}" is not an IPv4/IPv6 address or CIDR range (like 203.0.113.7 or 203.0.113.0/24).`,
  });

export const MAX_ALLOWLIST_ENTRIES = 50;

/** How long a new key lives: never, a number of days, or until a chosen date. */
export const KEY_EXPIRY_CHOICES = [
  { value: "never", label: "Never" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "365 days" },
  { value: "date", label: "On a date" },
] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The first instant of a calendar day, UTC ("2027-01-31" → 2027-01-31T00:00:00Z), or null. */
function startOfDayUtc(value: string): Date | null {
  if (!DAY.test(value)) return null;
  const d = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : d;
}

export const createKeyInput = z
  .object({
    environment: z.enum(["sandbox", "live"]),
    name: z.string().trim().max(100, "At most 100 characters.").optional(),
    ipAllowlist: z.array(ipAllowlistEntry).max(MAX_ALLOWLIST_ENTRIES, `At most ${MAX_ALLOWLIST_ENTRIES} entries.`).default([]),
    expiry: z.enum(["never", "30", "90", "365", "date"]).default("never"),
    /** With expiry "date": the key stops working at 00:00 UTC that day. */
    expiresOn: z.string().trim().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.expiry !== "date") return;
    const d = startOfDayUtc(v.expiresOn ?? "");
    if (!d) ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Choose the day the key stops working." });
    else if (d.getTime() <= Date.now()) ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Choose a day after today." });
    else if (d.getTime() > Date.now() + 5 * 366 * 86_400_000) ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "At most 5 years ahead." });
  });

type CreateKeyInput = z.output<typeof createKeyInput>;

/** When a key created with these choices stops working (null: never). */
export function expiresAtOf(input: Pick<CreateKeyInput, "expiry" | "expiresOn">, now = Date.now()): Date | null {
  if (input.expiry === "never") return null;
  if (input.expiry === "date") return startOfDayUtc(input.expiresOn ?? "");
  return new Date(now + Number(input.expiry) * 86_400_000);
}

/** The overlaps offered when rotating: how long the old key keeps working (the domain allows 0 to 30 days). */
export const ROTATION_OVERLAPS = [
  { seconds: 0, label: "None: the old key stops now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 7 * 86_400, label: "7 days" },
] as const;

export const rotateKeyInput = z.object({
  keyId: z.string().min(1).max(64),
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400, "At most 30 days."),
});
