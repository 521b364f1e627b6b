import { and, eq, isNull } from "drizzle-orm";
import type { Env } from "@/lib/env";
import type { Db } from "@/server/db/client";
import { mockVendorOrders } from "@/server/db/schema";
import { signNotification } from "../notifications";

export interface MockNotifyOptions {
  /** Where to POST (our endpoint, /api/supplier/bamboo/notifications). */
  url: string;
  /** Signs the notification (BAMBOO_NOTIFICATION_SECRET of the receiving app). */
  secret: string;
  /** A notification that gets no answer within this is given up (default 5 s). */
  timeoutMs?: number;
}

/** The mock's notification settings from the environment; undefined = it sends none. */
export function mockNotifyFromEnv(e: Env): MockNotifyOptions | undefined {
  if (!e.MOCK_VENDOR_NOTIFY_URL || !e.BAMBOO_NOTIFICATION_SECRET) return undefined;
  const url =
    e.MOCK_VENDOR_NOTIFY_URL === "app"
      ? `${(e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "")}/api/supplier/bamboo/notifications`
      : e.MOCK_VENDOR_NOTIFY_URL;
  return { url, secret: e.BAMBOO_NOTIFICATION_SECRET };
}

let warned = 0;

/**
 * Claims the order's notification (once per order, across every process serving the mock: the
 * `notified_at` column) and POSTs it, signed. Never throws: a notification is a hint, and a failed
 * one is not retried (polling finds the order anyway).
 */
export async function sendMockNotification(db: Db, o: MockNotifyOptions, requestId: string): Promise<boolean> {
  try {
    const [order] = await db
      .update(mockVendorOrders)
      .set({ notifiedAt: new Date() })
      .where(and(eq(mockVendorOrders.requestId, requestId), isNull(mockVendorOrders.notifiedAt)))
      .returning({ orderId: mockVendorOrders.orderId, outcome: mockVendorOrders.outcome });
    if (!order) return false;
    const body = JSON.stringify({ type: "order.finished", requestId, orderId: order.orderId, status: order.outcome });
    const headers = signNotification(o.secret, `mock-ntf-${order.orderId}`, Math.floor(Date.now() / 1000), body);
    const res = await fetch(o.url, { method: "POST", headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? 5_000) });
    await res.arrayBuffer().catch(() => {});
    return res.ok;
  } catch (e) {
    // At most one line a minute: a receiver that is down must not flood the log.
    if (Date.now() - warned > 60_000) {
      warned = Date.now();
      console.warn(`[mock-vendor] order notification to ${o.url} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return false;
  }
}

/**
 * Sends the order's notification when it finishes (`fulfilMs` after it was placed), in the
 * background: the placement's answer never waits for it, and the timer does not keep the process
 * alive. If this process ends first, no notification is sent for that order (a hint, not a duty).
 */
export function scheduleMockNotification(db: Db, o: MockNotifyOptions, requestId: string, fulfilMs: number): void {
  const timer = setTimeout(() => void sendMockNotification(db, o, requestId), Math.max(0, fulfilMs));
  timer.unref?.();
}
