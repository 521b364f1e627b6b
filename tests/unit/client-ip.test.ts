import { describe, expect, it } from "vitest";
import { resolveClientIp } from "@/lib/client-ip";

describe("client IP", () => {
  it("ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(resolveClientIp("127.0.0.1", "6.6.6.6", 0)).toBe("127.0.0.1");
  });
  it("takes the entry added by the outermost trusted proxy", () => {
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.9", 2)).toBe("203.0.113.7");
  });
  it("unwraps IPv4-mapped IPv6 addresses", () => {
    expect(resolveClientIp("::ffff:192.0.2.1", undefined, 0)).toBe("192.0.2.1");
  });
});
