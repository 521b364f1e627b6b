import { describe, expect, it } from "vitest";
import { TokenLeases } from "@/server/rest/token-lease";

describe("token leases", () => {
  it("takes one token per request for a key at a normal pace", () => {
    const l = new TokenLeases({ leaseMs: 100, maxBatch: 10, maxKeys: 100 });
    for (let ms = 0; ms < 5_000; ms += 200) {
      expect(l.spend("k", ms)).toBeNull();
      expect(l.wanted("k")).toBe(1);
    }
  });

  it("leases as many tokens as the last second's rate uses in a lease period, at most maxBatch", () => {
    const l = new TokenLeases({ leaseMs: 100, maxBatch: 10, maxKeys: 100 });
    for (let i = 0; i < 50; i++) l.spend("k", i * 20); // 50 requests in second 0
    l.spend("k", 1_000);
    expect(l.wanted("k")).toBe(5); // 50/s × 0.1 s
    for (let i = 0; i < 300; i++) l.spend("k", 1_000 + i * 3); // 300+ in second 1
    l.spend("k", 2_000);
    expect(l.wanted("k")).toBe(10);
  });

  it("spends kept tokens until they run out or the lease expires, and counts the lost ones", () => {
    const l = new TokenLeases({ leaseMs: 100, maxBatch: 10, maxKeys: 100 });
    l.keep("k", 4, 17, 0); // this request's token + 3 leased
    expect(l.leased).toBe(3);
    expect(l.spend("k", 10)).toEqual({ remaining: 17 });
    expect(l.spend("k", 20)).toEqual({ remaining: 17 });
    expect(l.spend("k", 30)).toEqual({ remaining: 17 });
    expect(l.spend("k", 40)).toBeNull(); // used up
    l.keep("k", 3, 5, 50);
    expect(l.spend("k", 60)).not.toBeNull();
    expect(l.spend("k", 151)).toBeNull(); // expired with one unspent
    expect(l.expired).toBe(1);
  });

  it("keeps nothing for a single token", () => {
    const l = new TokenLeases();
    l.keep("k", 1, 10);
    expect(l.spend("k")).toBeNull();
    expect(l.leased).toBe(0);
  });
});
