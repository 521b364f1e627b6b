import { expect, it } from "vitest";

// Run only by tests/integration/exit-code.test.ts: it must make vitest exit non-zero.
it("fails on purpose", () => {
  expect(1).toBe(2);
});
