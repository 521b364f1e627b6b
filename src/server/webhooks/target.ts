import net from "node:net";

/**
 * Which addresses a webhook may never reach (SSRF guard): private, loopback, link-local (cloud
 * metadata at 169.254.169.254), CGNAT, multicast, unspecified, reserved and documentation
 * ranges, IPv6 ULA/link-local, and IPv4 embedded in IPv6 (mapped, NAT64) checked as IPv4.
 */
const V4_BLOCKED: [string, number][] = [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];
const V6_BLOCKED: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const blocked = new net.BlockList();
for (const [a, p] of V4_BLOCKED) blocked.addSubnet(a, p, "ipv4");
for (const [a, p] of V6_BLOCKED) blocked.addSubnet(a, p, "ipv6");

/** The 16 bytes of an IPv6 address (accepts an embedded dotted IPv4 tail). */
function v6Bytes(address: string): Buffer | null {
  let text = address.toLowerCase().split("%")[0]!;
  const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const parts = dotted[2]!.split(".").map(Number);
    text = `${dotted[1]}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail, ...more] = text.split("::");
  if (more.length) return null;
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array(Math.max(fill, 0)).fill("0"), ...t];
  if (groups.length !== 8) return null;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(Number.parseInt(g || "0", 16), i * 2));
  return out;
}

/** True when the address must not be reached; anything that does not parse counts as private. */
export function isPrivateAddress(address: string): boolean {
  const version = net.isIP(address.split("%")[0]!);
  if (version === 4) return blocked.check(address, "ipv4");
  if (version !== 6) return true;
  const bytes = v6Bytes(address);
  if (!bytes) return true;
  const embeddedV4 = (offset: number) => `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  const zero = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): judge the IPv4 inside.
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return isPrivateAddress(embeddedV4(12));
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && bytes[15] === 1)) return isPrivateAddress(embeddedV4(12));
  if (bytes.readUInt32BE(0) === 0x0064ff9b && zero(4, 12)) return isPrivateAddress(embeddedV4(12));
  return blocked.check(address.split("%")[0]!, "ipv6");
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
