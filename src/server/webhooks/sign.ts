import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): a secret is `whsec_` + base64
 * of random bytes; the signature is `v1,` + base64 HMAC-SHA256 over `${id}.${timestamp}.${body}`
 * keyed with the decoded bytes. Several signatures are separated by spaces (secret rotation).
 */
const SECRET_PREFIX = "whsec_";

/** A new signing secret: `whsec_` + base64 of 24 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString("base64");
}

/** The key bytes of a secret (the base64 part after `whsec_`; a bare base64 secret works too). */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(b64, "base64");
  if (key.length === 0) throw new Error("The webhook secret is empty or not base64");
  return key;
}

/** One `v1,<base64>` signature. `timestamp` is in unix seconds. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", secretKey(secret)).update(`${id}.${timestamp}.${body}`, "utf8").digest("base64");
  return `v1,${mac}`;
}

/** The three headers of one delivery attempt, signed with every given secret (space-separated). */
export function webhookHeaders(input: { id: string; timestamp: number; body: string; secrets: readonly string[] }): Record<string, string> {
  if (input.secrets.length === 0) throw new Error("at least one secret is needed to sign");
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(input.timestamp),
    "webhook-signature": input.secrets.map((s) => sign(s, input.id, input.timestamp, input.body)).join(" "),
  };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * For receivers (and our tests): checks the timestamp is within `toleranceSeconds` of now and
 * that one of the `v1` signatures matches, in constant time. Returns the parsed JSON body;
 * throws WebhookVerificationError otherwise. `body` must be the raw request body.
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): unknown {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header");
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("Invalid webhook-timestamp");
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) throw new WebhookVerificationError("The webhook timestamp is outside the tolerance");
  const expected = Buffer.from(sign(secret, id, ts, body).slice(3), "base64");
  for (const candidate of signatures.split(" ")) {
    const [version, value] = candidate.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return JSON.parse(body);
  }
  throw new WebhookVerificationError("No matching signature");
}
