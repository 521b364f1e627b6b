import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BAMBOO_LIMITS, DEFAULT_RETRY, MOCK_ACCOUNT_ID, type BambooConfig } from "@/server/supplier/bamboo";
import type { Db } from "@/server/db/client";
import { createMockVendorHandler, MOCK_RATE_LIMITS, type MockVendorOptions } from "@/server/supplier/mock";

export type FetchHandler = (req: Request) => Promise<Response>;

export interface ServedHandler {
  /** http://127.0.0.1:<port> */
  origin: string;
  close: () => Promise<void>;
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
  return new Request(new URL(req.url ?? "/", origin), { method: req.method, headers, body });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((v, k) => res.setHeader(k, v));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Serves any Fetch handler over real HTTP on an ephemeral loopback port (node:http ↔ Request/Response). */
export async function serveFetchHandler(handler: FetchHandler): Promise<ServedHandler> {
  let origin = "";
  const server = createServer((req, res) => {
    toRequest(req, origin)
      .then(handler)
      .then((response) => writeResponse(res, response))
      .catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

export const MOCK_CREDENTIALS = { clientId: "test-mock-client", clientSecret: "test-mock-secret" };

export interface MockVendorServer extends ServedHandler {
  /** What the app's BAMBOO_BASE_URL would be: `${origin}/api/mock-vendor`. */
  baseUrl: string;
  /** A client config pointing at this server; override limits and retry for fast tests. */
  clientConfig: (
    overrides?: Partial<Omit<BambooConfig, "limits" | "retry">> & { limits?: Partial<BambooConfig["limits"]>; retry?: Partial<BambooConfig["retry"]> },
  ) => BambooConfig;
}

/**
 * The mock vendor route handler served over HTTP, so integration tests exercise the real
 * Bamboo client without Next.js. Optionally `wrap` the handler (e.g. to corrupt answers).
 */
export async function startMockVendorServer(
  db: Db,
  options: Partial<MockVendorOptions> = {},
  wrap: (inner: FetchHandler) => FetchHandler = (h) => h,
): Promise<MockVendorServer> {
  const handler = createMockVendorHandler(db, { ...MOCK_CREDENTIALS, fulfilMs: 300, rateLimits: MOCK_RATE_LIMITS, autoSeed: true, ...options });
  const served = await serveFetchHandler(wrap(handler));
  const baseUrl = `${served.origin}/api/mock-vendor`;
  return {
    ...served,
    baseUrl,
    clientConfig: (overrides = {}) => ({
      baseUrl,
      ...MOCK_CREDENTIALS,
      accountId: MOCK_ACCOUNT_ID,
      ...overrides,
      limits: { ...BAMBOO_LIMITS, placeOrderPerProductMs: 0, ...overrides.limits },
      retry: { ...DEFAULT_RETRY, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 5_000, ...overrides.retry },
    }),
  };
}
