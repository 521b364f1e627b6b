import { randomBytes } from "node:crypto";
import http from "node:http";
import next from "next";
import { CLIENT_IP_HEADER, resolveClientIp } from "@/lib/client-ip";

const NEXT_CLOSE_TIMEOUT_MS = 5_000;

/**
 * Our HTTP server around Next.js. It exists for one reason Next cannot serve: the client IP.
 * It computes it from the socket (and trusted proxies only) and passes it on in a header
 * that clients cannot forge.
 */
export async function startHttpServer(opts: { dev: boolean; port: number; hostname: string; trustedProxyHops: number }) {
  const app = next({ dev: opts.dev, dir: process.cwd(), port: opts.port, hostname: opts.hostname });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = http.createServer((req, res) => {
    if (!pathDecodes(req.url ?? "/")) {
      // Next.js answers a malformed percent-encoding with a bare 500; this is the client's error.
      refuseMalformedUrl(req.url ?? "/", res);
      return;
    }
    const xff = req.headers["x-forwarded-for"];
    req.headers[CLIENT_IP_HEADER] = resolveClientIp(req.socket.remoteAddress, Array.isArray(xff) ? xff.join(",") : xff, opts.trustedProxyHops);
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname === "localhost" ? undefined : opts.hostname, () => resolve());
  });
  return {
    server,
    /**
     * Stops taking requests, then closes Next itself, as `next start`/`next dev` do on a signal:
     * in development that shuts Turbopack down and lets it persist its cache under `.next/dev`
     * (without it, a stop could leave that cache half written; the page self-reload loop of issue 12 was only ever seen on warm starts). Bounded, so a Next
     * that does not finish closing never holds up the rest of shutdown.
     */
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        app.close().catch((e: unknown) => console.error("[http] closing Next.js:", e)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, NEXT_CLOSE_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    },
  };
}

function pathDecodes(url: string): boolean {
  try {
    decodeURIComponent(url.split("?")[0]!);
    return true;
  } catch {
    return false;
  }
}

function refuseMalformedUrl(url: string, res: http.ServerResponse) {
  const message = "The URL is malformed (invalid percent-encoding)";
  res.statusCode = 400;
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
  if (url.startsWith("/api/")) {
    const requestId = `req_${randomBytes(12).toString("hex")}`;
    res.setHeader("content-type", "application/json");
    res.setHeader("x-request-id", requestId);
    res.end(JSON.stringify({ error: { type: "invalid_request_error", code: "malformed_url", message, requestId } }));
  } else {
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.end(message);
  }
}
