import { getDb } from "@/server/db/client";
import { createMockVendorHandler, mockVendorOptionsFromEnv } from "@/server/vendor/mock";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Bamboo-compatible mock vendor: /api/mock-vendor/api/integration/... (see docs/mock-vendor.md).
let handler: ((req: Request) => Promise<Response>) | undefined;
const handle = (req: Request) => (handler ??= createMockVendorHandler(getDb(), mockVendorOptionsFromEnv()))(req);

export const GET = handle;
export const POST = handle;
