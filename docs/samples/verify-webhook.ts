// Verifying a webhook (Standard Webhooks): no dependency beyond node:crypto. Pass the raw body,
// exactly as received, before any JSON parsing.
import { createHmac, timingSafeEqual } from "node:crypto";

export function verifyStellerWebhook(
  secret: string, // whsec_… from the endpoint's creation (or rotation)
  headers: Headers,
  rawBody: string,
  toleranceSeconds = 5 * 60,
): { type: string; timestamp: string; data: Record<string, unknown> } {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signatures = headers.get("webhook-signature");
  if (!id || !timestamp || !signatures) throw new Error("missing webhook headers");

  // Refuse old (or future) messages: a replayed capture cannot be sent again later.
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) throw new Error("timestamp too old or too new");

  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${rawBody}`).digest();

  // The header may hold several signatures ("v1,… v1,…") while a secret is being rotated.
  const ok = signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    if (version !== "v1" || !signature) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new Error("invalid signature");

  // The webhook-id is the same on every retry and replay: use it to process each event once.
  return JSON.parse(rawBody);
}
