import { afterEach, describe, expect, it } from "vitest";
import { postWebhook, type Resolver } from "@/server/webhooks/http";
import { buildServices } from "@/server/boot/services";
import { isPrivateAddress, validateEndpointUrl } from "@/server/webhooks/target";

/** Addresses that must never be reached, with why. */
const PRIVATE: [string, string][] = [
  ["64:ff9b:1::808:808", "NAT64 local-use prefix (RFC 8215), even around a public IPv4"],
  ["64:ff9b:1:ffff::1", "NAT64 local-use prefix, any address in it"],
  ["64:ff9b::7f00:1", "well-known NAT64 around 127.0.0.1"],
  ["64:ff9b::a9fe:a9fe", "well-known NAT64 around the cloud metadata address"],
  ["2002:7f00:1::1", "6to4 around 127.0.0.1"],
  ["2002:a00:1::", "6to4 around 10.0.0.1"],
  ["2002:a9fe:a9fe::1", "6to4 around 169.254.169.254"],
  ["2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo whose client is 127.0.0.1 (inverted)"],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo whose client is 192.0.2.45 (documentation)"],
  ["2001:0:a00:1:8000:63bf:f7f7:f7f7", "Teredo whose server is 10.0.0.1"],
  ["::ffff:7f00:1", "IPv4-mapped 127.0.0.1, hex form"],
  ["::ffff:169.254.169.254", "IPv4-mapped metadata address"],
  ["::ffff:0:a00:1", "SIIT (RFC 6145) around 10.0.0.1"],
  ["::7f00:1", "IPv4-compatible (deprecated) 127.0.0.1"],
  ["::808:808", "IPv4-compatible (deprecated), even around a public IPv4"],
  ["fe80::1%eth0", "link-local with a zone"],
  ["fec0::1", "site-local (deprecated)"],
  ["100::1", "discard prefix"],
  ["2001:db8::1", "documentation"],
  ["3fff::1", "documentation (RFC 9637)"],
  ["2001:2::1", "benchmarking"],
  ["5f00::1", "segment routing"],
  ["4000::1", "outside global unicast 2000::/3"],
  ["192.0.0.8", "IETF protocol assignments"],
  ["198.18.0.1", "benchmarking"],
  ["192.175.48.1", "AS112"],
  ["255.255.255.255", "broadcast"],
  ["0177.0.0.1", "not a plain dotted-decimal address"],
  ["", "empty"],
];

const PUBLIC = [
  "8.8.8.8",
  "93.184.216.34",
  "2606:4700:4700::1111",
  "2a00:1450:4001:80b::200e",
  "::ffff:8.8.8.8",
  "::ffff:0:808:808",
  "64:ff9b::808:808",
  "2002:808:808::1",
  "2001:0:4136:e378:8000:63bf:f7f7:f7f7", // Teredo: server 65.54.227.120, client 8.8.8.8
];

describe("webhook target ranges (ipaddr.js)", () => {
  it.each(PRIVATE)("refuses %s (%s)", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(PUBLIC)("allows the public address %s", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it("refuses the same forms as literal endpoint URLs", () => {
    for (const host of ["[64:ff9b:1::808:808]", "[2002:7f00:1::1]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]", "[::ffff:7f00:1]"]) {
      expect(() => validateEndpointUrl(`https://${host}/hook`, false), host).toThrow(/private, loopback or reserved/);
    }
    expect(validateEndpointUrl("https://[2002:808:808::1]/hook", false).hostname).toBe("[2002:808:808::1]");
  });

  it("refuses a DNS name that resolves to a private address at delivery, before connecting", async () => {
    const cases: [string, string][] = [
      ["nat64-local.example", "64:ff9b:1::a00:1"],
      ["six-to-four.example", "2002:7f00:1::1"],
      ["teredo.example", "2001:0:4136:e378:8000:63bf:80ff:fffe"],
      ["mixed.example", "10.0.0.5"],
    ];
    for (const [name, address] of cases) {
      // One public answer first: every answer is vetted, not only the first.
      const resolve: Resolver = async () => [
        { address: "93.184.216.34", family: 4 },
        { address, family: address.includes(":") ? 6 : 4 },
      ];
      const r = await postWebhook(`https://${name}/hook`, {}, "{}", { timeoutMs: 1_000, allowPrivate: false, resolve });
      expect(r.statusCode, name).toBeNull();
      expect(r.error, name).toBe(`refused: ${name} resolves to a private or reserved address (${address})`);
    }
  });
});

describe("private-target policy", () => {
  const saved = {
    NODE_ENV: process.env.NODE_ENV,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    DATABASE_URL: process.env.DATABASE_URL,
  };
  const env = process.env as Record<string, string | undefined>;
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  });

  /** The webhook sender's policy in services built from this environment (what the boot builds). */
  const policy = () => buildServices({} as never, { encryptionKey: "0".repeat(64) }).webhooks.allowPrivateTargets;

  it("is closed when NODE_ENV is development (its default) and nothing opted in", () => {
    env.DATABASE_URL ??= "postgres://u:p@localhost:5432/db";
    env.NODE_ENV = "development";
    delete env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    expect(policy()).toBe(false);
    delete env.NODE_ENV; // the default
    expect(policy()).toBe(false);
  });

  it("opens only with WEBHOOK_ALLOW_PRIVATE_TARGETS=true", () => {
    env.DATABASE_URL ??= "postgres://u:p@localhost:5432/db";
    env.NODE_ENV = "production";
    env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "true";
    expect(policy()).toBe(true);
    env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "false";
    expect(policy()).toBe(false);
  });
});
