import { InngestTestEngine } from "@inngest/test";
import { describe, expect, it } from "vitest";
import { fulfilOrder, placeVendorBatch } from "@/server/jobs/functions/orders";
import type { Env } from "@/lib/env";
import { buildServices, type Services } from "@/server/boot/services";
import { withServices } from "@/server/jobs/client";

// The domain steps are mocked: these tests pin the function's shape (place, then poll with
// sleeps between, stop at a terminal state, hand over to backfill at the end of the schedule).
// An order made before batching answers "single" at the queue step and is placed on its own.
const unitServices = buildServices({} as never, {
  settings: {} as Env,
  vendorFor: () => ({}) as never,
  encryptionKey: "0".repeat(64),
  orders: { pollScheduleMs: [1000, 2000, 3000], batchWindowMs: 0 },
});
/** Runs the function with these services, as the embedded executor hands them (no process services). */
const execute = (t: InngestTestEngine, services: Services = unitServices) =>
  withServices(
    () => services,
    () => t.execute(),
  );

const event = { name: "order/created" as const, data: { orderId: "ord_unit" } };
const sleepsMocked = [0, 1, 2].map((i) => ({ id: `wait-${i}`, handler: () => undefined }));
const single = { id: "queue", handler: () => ({ orderId: "ord_unit", mode: "single" }) };

describe("order-fulfil function", () => {
  it("stops after placement when the vendor refused the order", async () => {
    const t = new InngestTestEngine({
      function: fulfilOrder,
      events: [event],
      steps: [single, { id: "place-with-vendor", handler: () => ({ orderId: "ord_unit", status: "failed", done: true }) }],
    });
    const { result, ctx } = await execute(t);
    expect(result).toEqual({ orderId: "ord_unit", status: "failed", done: true });
    expect(ctx.step.sleep).not.toHaveBeenCalled();
  });

  it("polls after each sleep until the vendor finishes", async () => {
    const t = new InngestTestEngine({
      function: fulfilOrder,
      events: [event],
      steps: [
        single,
        { id: "place-with-vendor", handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) },
        ...sleepsMocked,
        { id: "poll-0", handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) },
        { id: "poll-1", handler: () => ({ orderId: "ord_unit", status: "completed", done: true }) },
      ],
    });
    const { result, ctx } = await execute(t);
    expect(result).toMatchObject({ status: "completed", done: true });
    expect(ctx.step.sleep).toHaveBeenCalledWith("wait-0", 1000);
    expect(ctx.step.sleep).toHaveBeenCalledWith("wait-1", 2000);
    expect(ctx.step.sleep).not.toHaveBeenCalledWith("wait-2", 3000);
  });

  it("hands the order to the backfill job when the poll schedule runs out", async () => {
    const t = new InngestTestEngine({
      function: fulfilOrder,
      events: [event],
      steps: [
        single,
        { id: "place-with-vendor", handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) },
        ...sleepsMocked,
        ...[0, 1, 2].map((i) => ({ id: `poll-${i}`, handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) })),
      ],
    });
    const { result } = await execute(t);
    expect(result).toMatchObject({ status: "processing", handedToBackfill: true });
  });

  it("a batched order only queues for its vendor batch: no placement, no polling of its own", async () => {
    const t = new InngestTestEngine({
      function: fulfilOrder,
      events: [event],
      steps: [{ id: "queue", handler: () => ({ orderId: "ord_unit", mode: "batch", status: "pending", batchId: "bat_unit", opened: true }) }],
    });
    const { result, ctx } = await execute(t);
    expect(result).toMatchObject({ mode: "batch", batchId: "bat_unit" });
    expect(ctx.step.run).toHaveBeenCalledTimes(1);
    expect(ctx.step.sleep).not.toHaveBeenCalled();
  });
});

describe("order-batch function", () => {
  const batchEvent = { name: "order/batch.ready" as const, data: { batchId: "bat_unit" } };
  const gather = { id: "gather", handler: () => ({ status: "open", closeAtMs: 1_800_000_000_000 }) };
  const gatherUntil = { id: "gather-until", handler: () => undefined };

  it("gathers until its close time, closes, places, polls at once and then after each sleep (no shared poller)", async () => {
    const t = new InngestTestEngine({
      function: placeVendorBatch,
      events: [batchEvent],
      steps: [
        gather,
        gatherUntil,
        { id: "close", handler: () => ({ batchId: "bat_unit", status: "placing", done: false }) },
        { id: "place", handler: () => ({ batchId: "bat_unit", status: "placed", done: false }) },
        { id: "poll-now", handler: () => ({ batchId: "bat_unit", status: "placed", done: false }) },
        ...sleepsMocked,
        { id: "poll-0", handler: () => ({ batchId: "bat_unit", status: "settled", done: true }) },
      ],
    });
    const { result, ctx } = await execute(t, { ...unitServices, orders: { ...unitServices.orders, sharedBatchPoller: false } });
    expect(result).toMatchObject({ status: "settled", done: true });
    expect(ctx.step.sleepUntil).toHaveBeenCalledWith("gather-until", new Date(1_800_000_000_000));
    expect(ctx.step.sleep).toHaveBeenCalledWith("wait-0", 1000);
    expect(ctx.step.sleep).not.toHaveBeenCalledWith("wait-1", 2000);
  });

  it("with the shared poller (the default), wakes it after placement and ends", async () => {
    const t = new InngestTestEngine({
      function: placeVendorBatch,
      events: [batchEvent],
      steps: [
        gather,
        gatherUntil,
        { id: "close", handler: () => ({ batchId: "bat_unit", status: "placing", done: false }) },
        { id: "place", handler: () => ({ batchId: "bat_unit", status: "placed", done: false }) },
        { id: "wake-poller", handler: () => undefined },
      ],
    });
    const { result, ctx } = await execute(t);
    expect(result).toMatchObject({ status: "placed", done: false });
    expect(ctx.step.sleep).not.toHaveBeenCalled();
  });

  it("stops when the batch closes empty, and after a refusal at placement", async () => {
    const empty = new InngestTestEngine({
      function: placeVendorBatch,
      events: [batchEvent],
      steps: [gather, gatherUntil, { id: "close", handler: () => ({ batchId: "bat_unit", status: "empty", done: true }) }],
    });
    expect((await execute(empty)).result).toMatchObject({ status: "empty" });
    const refused = new InngestTestEngine({
      function: placeVendorBatch,
      events: [batchEvent],
      steps: [
        gather,
        gatherUntil,
        { id: "close", handler: () => ({ batchId: "bat_unit", status: "placing", done: false }) },
        { id: "place", handler: () => ({ batchId: "bat_unit", status: "failed", done: true }) },
      ],
    });
    const { result, ctx } = await execute(refused);
    expect(result).toMatchObject({ status: "failed" });
    expect(ctx.step.sleep).not.toHaveBeenCalled();
  });
});
