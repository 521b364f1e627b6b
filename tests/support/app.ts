import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { replaceProcessSingleton } from "@/lib/process-singletons";
import { installProcessServices, processServices, type ServiceOverrides, type Services } from "@/server/boot/services";
import type { TestDatabase } from "./db";
import { testServices } from "./services";

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/**
 * What Next.js gives the route handlers a test calls directly: this process's services (built over
 * the test database, with `over` — see testServices) and its pool (for the few callers of
 * `getDb()` outside a context: auth, server components). Returns the services.
 */
export function bindAppDatabase(t: TestDatabase, over: ServiceOverrides = {}): Services {
  process.env.DATABASE_URL = t.url;
  replaceProcessSingleton("database", t);
  const services = testServices(t, over);
  installProcessServices(services);
  return services;
}

/** Writes what the route handlers called so far put in the request log (bound with bindAppDatabase). */
export async function flushRequestLog(): Promise<void> {
  await processServices().requestLog.flush();
}

export interface CallOptions {
  method?: string;
  key?: string;
  body?: unknown;
  rawBody?: string;
  query?: Record<string, string>;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  ip?: string;
}

/** Calls a route handler the way Next.js would, with the client IP our HTTP server computes. */
export async function call(handler: RouteHandler, path: string, o: CallOptions = {}) {
  const url = new URL(`http://localhost${path}`);
  for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
  const headers = new Headers({ [CLIENT_IP_HEADER]: o.ip ?? "127.0.0.1", ...o.headers });
  if (o.key) headers.set("x-api-key", o.key);
  let body: string | undefined = o.rawBody;
  if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const res = await handler(new Request(url, { method: o.method ?? (body !== undefined ? "POST" : "GET"), headers, body }), {
    params: Promise.resolve(o.params ?? {}),
  });
  const text = await res.text();
  let json: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  // Under test every answer is checked against its route's contract (API_VALIDATE_RESPONSES):
  // a breach fails the test here, with what broke, whatever the test expected.
  if (json?.error?.code === "response_contract_violation") throw new Error(`Response contract violation: ${json.error.message}`);
  return { status: res.status, headers: res.headers, text, json };
}
