import { InngestTestEngine } from "@inngest/test";
import { describe, expect, it, vi } from "vitest";
import { inngest } from "@/server/jobs/client";
import { saleReceiptEmail } from "@/server/jobs/functions/agency";
import { orderCreated } from "@/server/outbox/events";
import { sleepUntil } from "@/server/jobs/executor/protocol";
import { parseCron, parseDuration, registerFunctions } from "@/server/jobs/executor/registry";

describe("a function under @inngest/test", () => {
  const charge = vi.fn(async (orderId: string) => `charged ${orderId}`);
  const fn = inngest.createFunction({ id: "unit-order-flow", triggers: [orderCreated], retries: 1 }, async ({ event, step }) => {
    const charged = await step.run("charge", () => charge(event.data.orderId));
    await step.sleep("cool-down", "10m");
    await step.sendEvent("done", { name: "order/completed", data: { orderId: event.data.orderId } });
    return charged;
  });

  it("runs its steps in order with the sleep mocked", async () => {
    const t = new InngestTestEngine({
      function: fn,
      events: [{ name: "order/created", data: { orderId: "ord_1" } }],
      steps: [
        { id: "cool-down", handler: () => undefined },
        { id: "done", handler: () => ({ ids: ["evt_x"] }) },
      ],
    });
    const { result, ctx } = await t.execute();
    expect(result).toBe("charged ord_1");
    expect(charge).toHaveBeenCalledTimes(1);
    expect(ctx.step.sleep).toHaveBeenCalledWith("cool-down", "10m");
  });
});

describe("embedded function registry", () => {
  it("reads retries, keyed concurrency and throttle from the synced config", () => {
    const fn = inngest.createFunction(
      {
        id: "unit-limited",
        triggers: [{ event: "test/a" }],
        retries: 5,
        concurrency: { limit: 2, key: "event.data.accountId" },
        throttle: { limit: 3, period: "1m", key: "event.data.accountId" },
      },
      async () => null,
    );
    const r = registerFunctions("steller", [fn]).get("steller-unit-limited")!;
    expect(r.maxAttempts).toBe(6);
    expect(r.concurrency!.limit).toBe(2);
    expect(r.concurrency!.key!({ event: { data: { accountId: "acc_1" } } })).toBe("acc_1");
    expect(r.throttle).toMatchObject({ limit: 3, periodMs: 60_000 });
  });

  it("registers onFailure as a function triggered by its own failures only", () => {
    const fn = inngest.createFunction({ id: "unit-fails", triggers: [{ event: "test/a" }], onFailure: async () => null }, async () => null);
    const failure = registerFunctions("steller", [fn]).get("steller-unit-fails-failure")!;
    const trigger = failure.events[0]!;
    expect(trigger.name).toBe("inngest/function.failed");
    expect(trigger.matches({ data: { function_id: "steller-unit-fails" } })).toBe(true);
    expect(trigger.matches({ data: { function_id: "steller-other" } })).toBe(false);
  });

  it("evaluates == and != trigger conditions; a missing field differs from every literal", () => {
    const fn = inngest.createFunction(
      { id: "unit-conditional", triggers: [{ event: "test/a", if: "event.data.source != 'api' && event.data.kind == 'sale'" }] },
      async () => null,
    );
    const { matches } = registerFunctions("steller", [fn]).get("steller-unit-conditional")!.events[0]!;
    expect(matches({ data: { source: "dashboard", kind: "sale" } })).toBe(true);
    expect(matches({ data: { kind: "sale" } })).toBe(true);
    expect(matches({ data: { source: "api", kind: "sale" } })).toBe(false);
    expect(matches({ data: { source: "dashboard", kind: "other" } })).toBe(false);
  });

  it("the sale receipt starts no run for an API order, and does for any other (and for events without a source)", () => {
    const { matches } = registerFunctions("steller", [saleReceiptEmail]).get("steller-agency-sale-receipt")!.events[0]!;
    expect(matches({ data: { orderId: "ord_1", source: "api" } })).toBe(false);
    expect(matches({ data: { orderId: "ord_1", source: "dashboard" } })).toBe(true);
    expect(matches({ data: { orderId: "ord_1" } })).toBe(true);
  });

  it("refuses a feature it does not honour, naming the function", () => {
    const fn = inngest.createFunction({ id: "unit-debounced", triggers: [{ event: "test/a" }], debounce: { period: "5s" } }, async () => null);
    expect(() => registerFunctions("steller", [fn])).toThrow(/"steller-unit-debounced" uses debounce/);
  });

  it("reads a constant priority and refuses one it cannot evaluate", () => {
    const fn = inngest.createFunction({ id: "unit-urgent", triggers: [{ event: "test/a" }], priority: { run: "120" } }, async () => null);
    expect(registerFunctions("steller", [fn]).get("steller-unit-urgent")!.prioritySeconds).toBe(120);
    const byEvent = inngest.createFunction({ id: "unit-by-event", triggers: [{ event: "test/a" }], priority: { run: "event.data.tier" } }, async () => null);
    expect(() => registerFunctions("steller", [byEvent])).toThrow(/"steller-unit-by-event" uses priority "event.data.tier"/);
  });

  it("computes cron ticks in the TZ= zone", () => {
    const cron = parseCron("TZ=Europe/Paris 0 9 * * *");
    expect(cron.next(new Date("2026-11-25T07:00:00Z"))!.toISOString()).toBe("2026-11-25T08:00:00.000Z");
    expect(parseCron("*/15 * * * *").next(new Date("2026-11-25T07:01:00Z"))!.toISOString()).toBe("2026-11-25T07:15:00.000Z");
  });

  it("parses Inngest durations and sleep targets", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration(250)).toBe(250);
    expect(() => parseDuration("soon")).toThrow();
    const now = Date.parse("2026-11-25T00:00:00Z");
    expect(sleepUntil({ id: "x", op: "Sleep", name: "1m30s" }, now).toISOString()).toBe("2026-11-25T00:01:30.000Z");
    expect(sleepUntil({ id: "x", op: "Sleep", name: "2026-12-01T00:00:00.000Z" }, now).toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });
});
