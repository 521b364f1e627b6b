import { getDb } from "@/server/db/client";
import { createMockVendorRoute } from "@/server/supplier/mock";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Bamboo-compatible mock vendor: /api/mock-vendor/api/integration/... (see docs/mock-vendor.md).
// Refused (404) in production with a configured database unless MOCK_VENDOR_ENABLED=true.
const handle = createMockVendorRoute(getDb);

export const GET = handle;
export const POST = handle;
