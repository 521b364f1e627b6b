/**
 * The client IP as our own HTTP server computed it (see src/server/boot/http.ts): the socket
 * peer, or, behind TRUSTED_PROXY_HOPS trusted proxies, the X-Forwarded-For entry that many
 * hops from the right. Any such header sent by a client is overwritten, so it is never spoofed.
 */
export const CLIENT_IP_HEADER = "x-steller-client-ip";

export function clientIpFrom(headers: Headers): string {
  return headers.get(CLIENT_IP_HEADER) ?? "unknown";
}

/** Picks the client address from a peer address and the X-Forwarded-For chain. */
export function resolveClientIp(peer: string | undefined, xff: string | undefined, trustedHops: number): string {
  const normalise = (ip: string) => ip.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
  const direct = normalise(peer ?? "unknown");
  if (trustedHops <= 0 || !xff) return direct;
  const chain = xff.split(",").map(normalise).filter(Boolean);
  // The last entry was added by the nearest proxy; each trusted proxy adds one.
  const idx = chain.length - trustedHops;
  return idx >= 0 ? chain[idx]! : (chain[0] ?? direct);
}
