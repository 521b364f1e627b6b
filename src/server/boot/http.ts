import http from "node:http";
import next from "next";
import { CLIENT_IP_HEADER, resolveClientIp } from "@/lib/client-ip";

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
    const xff = req.headers["x-forwarded-for"];
    req.headers[CLIENT_IP_HEADER] = resolveClientIp(
      req.socket.remoteAddress,
      Array.isArray(xff) ? xff.join(",") : xff,
      opts.trustedProxyHops,
    );
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname === "localhost" ? undefined : opts.hostname, () => resolve());
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
