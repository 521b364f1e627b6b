import net from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which addresses a webhook may reach (SSRF guard), by allowlist, with the ranges of `ipaddr.js`:
 *
 * - IPv4: only ordinary unicast. Private (RFC 1918), loopback, link-local (cloud metadata at
 *   169.254.169.254), CGNAT, multicast, broadcast, unspecified, reserved, documentation,
 *   benchmarking, AS112 and AMT ranges are refused.
 * - IPv6: only global unicast (2000::/3) outside every special range. Forms that carry an IPv4
 *   address are judged by that address: IPv4-mapped (::ffff:a.b.c.d), SIIT (::ffff:0:a.b.c.d),
 *   well-known NAT64 (64:ff9b::/96), 6to4 (2002:AABB:CCDD::/48) and Teredo (2001::/32: the
 *   server and the de-obfuscated client address must both be public). The NAT64 local-use
 *   prefix (64:ff9b:1::/48) is the operator's own network and is always refused, as is anything
 *   outside 2000::/3 (ULA, link-local, site-local, loopback, IPv4-compatible ::a.b.c.d, discard).
 *
 * Anything that does not parse as a plain address counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  const text = address.split("%")[0]!;
  if (net.isIP(text) === 4) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return true;
    return ipaddr.IPv4.parse(text).range() !== "unicast";
  }
  if (net.isIP(text) !== 6 || !ipaddr.IPv6.isValid(text)) return true;
  return isPrivateV6(ipaddr.IPv6.parse(text));
}

const v4At = (parts: number[], i: number) => new ipaddr.IPv4([parts[i]! >> 8, parts[i]! & 0xff, parts[i + 1]! >> 8, parts[i + 1]! & 0xff]);
const v4Private = (v4: ipaddr.IPv4) => v4.range() !== "unicast";
const NAT64_LOCAL_USE = ipaddr.IPv6.parseCIDR("64:ff9b:1::/48");
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR("2000::/3");

function isPrivateV6(a: ipaddr.IPv6): boolean {
  const p = a.parts;
  if (a.match(NAT64_LOCAL_USE)) return true;
  switch (a.range() as string) {
    case "ipv4Mapped": // ::ffff:a.b.c.d
    case "rfc6145": // ::ffff:0:a.b.c.d
      return v4Private(v4At(p, 6));
    case "rfc6052": // 64:ff9b::a.b.c.d (the local-use /48 is refused above)
      return v4Private(v4At(p, 6));
    case "6to4": // 2002:AABB:CCDD::/48 carries the IPv4 address AA.BB.CC.DD
      return v4Private(v4At(p, 1));
    case "teredo": {
      // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC, the client address inverted bit by bit.
      const client = new ipaddr.IPv4([(~p[6]! >> 8) & 0xff, ~p[6]! & 0xff, (~p[7]! >> 8) & 0xff, ~p[7]! & 0xff]);
      return v4Private(v4At(p, 2)) || v4Private(client);
    }
    case "unicast":
      return !a.match(GLOBAL_UNICAST);
    default:
      return true;
  }
}

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

/** The host of a URL without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Checks an endpoint URL when it is created or changed: absolute http(s), no credentials, no
 * fragment, a host; a literal private address or `localhost` is refused unless private targets
 * are allowed. Names are checked again after DNS resolution at every delivery.
 */
export function validateEndpointUrl(input: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TargetError("url must be an absolute URL such as https://example.com/webhooks");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TargetError("url must use https (or http)");
  if (url.username || url.password) throw new TargetError("url must not contain credentials; authenticate requests with the webhook signature");
  if (url.hash) throw new TargetError("url must not contain a fragment (#…)");
  if (input.length > 2048) throw new TargetError("url must be at most 2048 characters");
  const host = bareHost(url);
  if (!host) throw new TargetError("url must have a host");
  if (allowPrivate) return url;
  if (net.isIP(host) && isPrivateAddress(host)) {
    throw new TargetError(`url points to a private, loopback or reserved address (${host}); webhooks must reach a public address`);
  }
  if (host === "localhost" || host.endsWith(".localhost")) {
    throw new TargetError("url points to localhost; webhooks must reach a public address");
  }
  return url;
}
