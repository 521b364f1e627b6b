import net from "node:net";

/** Parses "203.0.113.0/24", "2001:db8::/32" or a bare address; null when malformed. */
export function parseCidr(input: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [address, prefixText, ...rest] = input.trim().split("/");
  if (!address || rest.length) return null;
  const version = net.isIP(address);
  if (!version) return null;
  const family = version === 4 ? "ipv4" : "ipv6";
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number.parseInt(prefixText, 10);
  return prefix <= max ? { address, prefix, family } : null;
}

/**
 * Whether `ip` falls inside any of the CIDR ranges. Fails closed: a malformed range or address
 * never matches, so a broken allowlist denies rather than allows.
 */
export function ipAllowed(ip: string, ranges: readonly string[]): boolean {
  const version = net.isIP(ip);
  if (!version) return false;
  const list = new net.BlockList();
  for (const r of ranges) {
    const c = parseCidr(r);
    if (c) list.addSubnet(c.address, c.prefix, c.family);
  }
  return list.check(ip, version === 4 ? "ipv4" : "ipv6");
}
