import { describe, expect, it } from "vitest";
import type { Services } from "@/server/boot/services";
import { inngest } from "@/server/jobs/client";
import { createProtocolClient } from "@/server/jobs/executor/protocol";

/**
 * Issue 14, item 3: the services a worker is given reach the functions it runs through the
 * Inngest client's middleware (handler argument `services`), not through a module global.
 */
describe("services handed to Inngest functions", () => {
  const fn = inngest.createFunction({ id: "unit-services", triggers: [{ event: "test/services" }], retries: 0 }, async ({ services }) => ({
    key: services.encryptionKey,
    now: services.clock.now().toISOString(),
  }));
  const fake = (key: string) => ({ encryptionKey: key, clock: { now: () => new Date("2026-01-02T03:04:05Z") } }) as unknown as Services;
  const run = (services: () => Services, runId: string) =>
    createProtocolClient(
      inngest,
      [fn],
      services,
    )({
      fnId: "steller-unit-services",
      stepId: "step",
      runId,
      event: { name: "test/services", data: {}, id: `evt_${runId}`, ts: Date.now() },
      memo: new Map(),
      stack: [],
      attempt: 0,
      maxAttempts: 1,
    });

  it("each caller's own services, side by side, nothing configured globally", async () => {
    const [a, b] = await Promise.all([run(() => fake("a".repeat(64)), "run_a"), run(() => fake("b".repeat(64)), "run_b")]);
    expect(a).toEqual({ kind: "done", output: { key: "a".repeat(64), now: "2026-01-02T03:04:05.000Z" } });
    expect(b).toEqual({ kind: "done", output: { key: "b".repeat(64), now: "2026-01-02T03:04:05.000Z" } });
  });
});
