import { processServices } from "@/server/boot/services";
import { bambooNotificationHandler } from "@/server/orders/poller-hints";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Bamboo's signed order notifications (docs/mock-vendor.md, "Order notifications"): verified with
// BAMBOO_NOTIFICATION_SECRET (404 when unset), then only a hint to poll that order now.
const handle = bambooNotificationHandler(
  () => processServices().db,
  () => processServices().settings.BAMBOO_NOTIFICATION_SECRET,
);

export const POST = handle;
export const GET = handle;
