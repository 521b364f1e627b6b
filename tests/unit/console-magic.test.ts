import { describe, expect, it } from "vitest";
import { MAGIC_DESCRIPTIONS, magicValues } from "@/app/dashboard/console/magic-values";
import { magicOf } from "@/server/supplier/mock/magic";

describe("sandbox console magic values", () => {
  const values = magicValues();

  it("are read from the mock's own magicOf: each one triggers its value there", () => {
    expect(values.length).toBeGreaterThanOrEqual(7);
    for (const v of values) {
      expect(magicOf(`25${v.cents}`, v.minQuantity)).toBe(v.name);
      if (v.minQuantity > 1) expect(magicOf(`25${v.cents}`, v.minQuantity - 1)).not.toBe(v.name);
    }
  });

  it("include the paths the issue names", () => {
    const names = values.map((v) => v.name);
    for (const n of ["out_of_stock", "fails", "partial", "slow", "rate_limit_storm"]) expect(names).toContain(n);
    expect(values.find((v) => v.name === "partial")!.minQuantity).toBe(2);
  });

  it("each have a human name and outcome (a value added to the mock needs one here)", () => {
    for (const v of values) expect(MAGIC_DESCRIPTIONS[v.name], `describe magic value "${v.name}" in magic-values.ts`).toBeDefined();
  });
});
