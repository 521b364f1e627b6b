import { env, mockVendorRouteEnabled, type Env } from "@/lib/env";
import type { Db } from "@/server/db/client";
import { bambooConfigFromEnv, type BambooConfig } from "../bamboo/config";
import { createMockVendorHandler, mockVendorOptionsFromEnv } from "./handler";

type FetchHandler = (req: Request) => Promise<Response>;

/** What /api/mock-vendor answers (404) where the built-in mock is not enabled. */
export const MOCK_VENDOR_DISABLED_MESSAGE = "Not found: the built-in mock vendor is disabled in production (MOCK_VENDOR_ENABLED is not true).";

/**
 * The `/api/mock-vendor` route: the built-in mock vendor over HTTP where it is enabled
 * (`mockVendorRouteEnabled`: by default everywhere except in production), a 404 everywhere
 * else, before any authentication or database work. The sandbox
 * never needs this route: it reaches the mock in-process (`builtInMockVendorConfig`).
 */
export function createMockVendorRoute(db: () => Db, config: () => Env = env): FetchHandler {
  let handler: FetchHandler | undefined;
  return async (req) => {
    const e = config();
    if (!mockVendorRouteEnabled(e)) {
      return new Response(JSON.stringify({ message: MOCK_VENDOR_DISABLED_MESSAGE }), {
        status: 404,
        headers: { "content-type": "application/json; charset=utf-8" },
      });
    }
    handler ??= createMockVendorHandler(db(), mockVendorOptionsFromEnv(e));
    return handler(req);
  };
}

/**
 * A `fetch` that hands the request to a Fetch handler in this process. The caller's abort signal
 * (the client's timeout) rejects the call like a network timeout would; the handler may finish
 * its work afterwards, as a remote vendor would.
 */
export function inProcessFetch(handler: FetchHandler): NonNullable<BambooConfig["fetch"]> {
  return (url, init) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      Promise.resolve()
        .then(() => handler(new Request(url, init)))
        .then(resolve, reject)
        .finally(() => signal?.removeEventListener("abort", onAbort));
    });
  };
}

/**
 * Where the built-in mock is "reached": never over the network (its fetch is in process), so one
 * fixed address that resolves nowhere (.invalid), not the app's URL. The vendor account key derives
 * from it, and every process of a deployment (a web process, a worker on another port) must speak
 * for the same account: the web's orders open vendor batches of that account, and the worker's
 * poller asks about that account's batches.
 */
const BUILT_IN_MOCK_URL = "http://builtin-mock-vendor.invalid/api/mock-vendor";

/**
 * The vendor configuration of the built-in mock, reached in-process through the real Bamboo
 * client (same limiter, call log and parsing; no HTTP hop, no public route): what the sandbox
 * always buys from, and live when no BAMBOO_BASE_URL is set. The mock sells every product of the
 * synced catalog at its catalog price, so the sandbox works when the catalog came from Bamboo.
 */
export function builtInMockVendorConfig(db: Db, e: Env = env()): BambooConfig {
  const handler = createMockVendorHandler(db, mockVendorOptionsFromEnv(e));
  return { ...bambooConfigFromEnv({ ...e, BAMBOO_BASE_URL: undefined }), baseUrl: BUILT_IN_MOCK_URL, fetch: inProcessFetch(handler) };
}
