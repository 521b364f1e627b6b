import { describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";

describe("newId", () => {
  it("gives unique, well-formed ids that sort by creation time", () => {
    const ids = Array.from({ length: 100_000 }, () => newId("ord"));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1_000)) expect(id).toMatch(/^ord_[0-9a-hjkmnp-tv-z]{26}$/);
    const times = ids.map((id) => id.slice(4, 14));
    expect([...times].sort()).toEqual(times);
  });
});
