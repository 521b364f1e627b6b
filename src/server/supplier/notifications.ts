import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * Bamboo's order notifications, in the form we accept and our mock vendor sends (the vendor's
 * "newer signed webhook"; its exact wire format is not public, so we chose the Standard Webhooks
 * scheme, docs/mock-vendor.md "Order notifications"):
 *
 *   POST <our endpoint>    content-type: application/json
 *   webhook-id:        the notification's id (unique per notification; a resend keeps it)
 *   webhook-timestamp: Unix seconds when it was signed
 *   webhook-signature: v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<raw body>")> (several, space-separated, when rotating)
 *   {"type":"order.finished","requestId":"<our request id>","orderId":700123,"status":"Succeeded"}
 *
 * A notification is a hint: nothing in it is trusted beyond "ask the vendor about this request id
 * now". Polling stays the source of truth, and a verified notification changes no order.
 */

/** How far a notification's timestamp may be from our clock (seconds): an older one is a replay. */
export const NOTIFICATION_TOLERANCE_S = 300;
/** The largest body we read (a notification is a few hundred bytes). */
const NOTIFICATION_MAX_BYTES = 16 * 1024;

const notificationSchema = z.object({
  type: z.string().max(100).optional(),
  requestId: z.string().min(1).max(100),
  orderId: z.union([z.number(), z.string().max(100)]).optional(),
  status: z.string().max(50).optional(),
});

type NotificationBody = z.infer<typeof notificationSchema>;

export interface NotificationHint {
  /** The vendor's notification id (`webhook-id`): deduplicates resends. */
  id: string;
  requestId: string;
  /** What the notification says the order's status is: recorded, never acted upon. */
  claimedStatus: string | null;
}

function hmac(secret: string, id: string, timestamp: number | string, body: string): string {
  return createHmac("sha256", secret).update(`${id}.${timestamp}.${body}`).digest("base64");
}

/** The headers of a signed notification (what the mock vendor sends). */
export function signNotification(secret: string, id: string, timestampS: number, body: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestampS),
    "webhook-signature": `v1,${hmac(secret, id, timestampS, body)}`,
  };
}

type VerifyFailure = "missing_headers" | "bad_timestamp" | "stale_timestamp" | "bad_signature";

/**
 * Checks a notification's signature (constant-time) and timestamp (within `toleranceS` of `nowS`).
 * Returns null when it is genuine, else why not. The id and timestamp are signed with the body,
 * so neither can be swapped.
 */
function verifyNotification(
  secret: string,
  headers: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
  nowS: number,
  toleranceS = NOTIFICATION_TOLERANCE_S,
): VerifyFailure | null {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || id.length > 200) return "missing_headers";
  if (!/^\d{1,12}$/.test(timestamp)) return "bad_timestamp";
  if (Math.abs(nowS - Number(timestamp)) > toleranceS) return "stale_timestamp";
  const expected = Buffer.from(hmac(secret, id, timestamp, body), "base64");
  for (const part of signature.split(" ")) {
    const [version, value] = part.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return "bad_signature";
}

/** Reads at most `maxBytes` of a body; null when it is longer. */
async function readBounded(req: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return null;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface NotificationHandlerOptions {
  /** The shared secret; undefined = notifications are not configured (404). Read per request. */
  secret: () => string | undefined;
  /** Records the hint (deduplicated by its id) and wakes the poller: "duplicate" when that id was seen. */
  onHint: (hint: NotificationHint) => Promise<"recorded" | "duplicate">;
  toleranceS?: number;
  maxBytes?: number;
  /** Seconds since the epoch (tests move the clock). */
  nowS?: () => number;
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

/**
 * The notification endpoint as a Fetch handler: 404 when no secret is configured, 405 for anything
 * but POST, 413 past the size bound, 401 for a missing, wrong or stale signature, 400 for a signed
 * body that is not a notification, otherwise 202 with the hint recorded (or 200 for a resend of one
 * already recorded). The body's status is never acted upon.
 */
export function createNotificationHandler(o: NotificationHandlerOptions): (req: Request) => Promise<Response> {
  const maxBytes = o.maxBytes ?? NOTIFICATION_MAX_BYTES;
  return async (req) => {
    const secret = o.secret();
    if (!secret) return json(404, { message: "Not found: vendor notifications are not configured (BAMBOO_NOTIFICATION_SECRET)." });
    if (req.method !== "POST") return json(405, { message: "Method not allowed" });
    const body = await readBounded(req, maxBytes);
    if (body === null) return json(413, { message: `Payload too large (at most ${maxBytes} bytes)` });
    const headers = {
      id: req.headers.get("webhook-id"),
      timestamp: req.headers.get("webhook-timestamp"),
      signature: req.headers.get("webhook-signature"),
    };
    const failure = verifyNotification(secret, headers, body, o.nowS?.() ?? Math.floor(Date.now() / 1000), o.toleranceS);
    if (failure) return json(401, { message: "Invalid signature", reason: failure });
    let parsed: NotificationBody;
    try {
      const r = notificationSchema.safeParse(JSON.parse(body));
      if (!r.success) return json(400, { message: `Malformed notification: ${r.error.issues[0]?.path.join(".") || "(root)"} ${r.error.issues[0]?.message}` });
      parsed = r.data;
    } catch {
      return json(400, { message: "Malformed notification: body is not JSON" });
    }
    const outcome = await o.onHint({ id: headers.id!, requestId: parsed.requestId, claimedStatus: parsed.status ?? null });
    return outcome === "duplicate" ? json(200, { received: true, duplicate: true }) : json(202, { received: true });
  };
}
