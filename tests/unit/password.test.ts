import { performance } from "node:perf_hooks";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "@/server/auth/password";

describe("password hashing", () => {
  it("runs off the event loop: the loop stays mostly idle while hashes and checks are computed", async () => {
    await hashPassword("warm-up"); // loads the native module
    const before = performance.eventLoopUtilization();
    const hashes = await Promise.all(["a-password-1", "a-password-2", "a-password-3", "a-password-4"].map(hashPassword));
    const checks = await Promise.all(hashes.map((h, i) => verifyPassword(`a-password-${i + 1}`, h)));
    const used = performance.eventLoopUtilization(before);
    expect(checks).toEqual([true, true, true, true]);
    // A hasher in JavaScript (bcryptjs) keeps the loop busy for the whole computation (≈ 1).
    expect(used.utilization).toBeLessThan(0.5);
  });

  it("accepts legacy bcrypt hashes, asks for them to be replaced, and never matches a malformed hash", async () => {
    const legacy = await bcrypt.hash("old-password", 4);
    expect(await verifyPassword("old-password", legacy)).toBe(true);
    expect(await verifyPassword("other", legacy)).toBe(false);
    expect(needsRehash(legacy)).toBe(true);
    const current = await hashPassword("new-password");
    expect(current).toMatch(/^\$argon2id\$/);
    expect(needsRehash(current)).toBe(false);
    expect(await verifyPassword("new-password", "$argon2id$garbage")).toBe(false);
    expect(await verifyPassword("anything", undefined)).toBe(false);
  });
});
