import fs from "node:fs";
import path from "node:path";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { serveFetchHandler, type ServedHandler } from "./mock-vendor-server";

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type RouteModule = Partial<Record<string, RouteHandler>>;

interface Route {
  pattern: RegExp;
  names: string[];
  load: () => Promise<RouteModule>;
}

const API_ROOT = path.resolve(import.meta.dirname, "../../src/app/api/v1");

/** Every route file under src/app/api/v1, as Next.js would route it ([id] segments are params). */
function discoverRoutes(): Route[] {
  const routes: Route[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), [...segments, entry.name]);
      else if (entry.name === "route.ts") {
        const names: string[] = [];
        const source = segments
          .map((s) => {
            const m = /^\[(\w+)\]$/.exec(s);
            if (m) {
              names.push(m[1]!);
              return "([^/]+)";
            }
            return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          })
          .join("/");
        const file = path.join(dir, entry.name);
        routes.push({ pattern: new RegExp(`^/api/v1/${source}$`), names, load: () => import(/* @vite-ignore */ file) as Promise<RouteModule> });
      }
    }
  };
  walk(API_ROOT, []);
  // Static segments before dynamic ones, as Next.js matches them.
  return routes.sort((a, b) => a.names.length - b.names.length);
}

/**
 * The partner API (/api/v1/*, the app's own route handlers) over real HTTP on a loopback port,
 * so a shell running curl or the SDK talks to it as it would to `next start`. Like the app's
 * HTTP server, it sets the client-IP header from the socket (here always 127.0.0.1).
 */
export async function serveApi(): Promise<ServedHandler> {
  const routes = discoverRoutes();
  return serveFetchHandler(async (req) => {
    try {
      return await dispatch(routes, req);
    } catch (error) {
      console.error("[api-http]", req.method, req.url, error);
      throw error;
    }
  });
}

async function dispatch(routes: Route[], req: Request): Promise<Response> {
  {
    const url = new URL(req.url);
    for (const route of routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      const mod = await route.load();
      const handler = mod[req.method];
      if (!handler) return new Response(null, { status: 405 });
      const headers = new Headers(req.headers);
      headers.set(CLIENT_IP_HEADER, "127.0.0.1");
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      return handler(new Request(req.url, { method: req.method, headers, body }), { params: Promise.resolve(params) });
    }
    return Response.json({ error: { type: "not_found_error", code: "route_not_found", message: `No route ${url.pathname}` } }, { status: 404 });
  }
}
