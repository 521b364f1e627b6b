import { InngestTestEngine } from "@inngest/test";
import { describe, expect, it } from "vitest";
import { fulfilOrder } from "@/server/jobs/functions/orders";
import { configureOrderRuntime } from "@/server/orders/runtime";

// The domain steps are mocked: these tests pin the function's shape (place, then poll with
// sleeps between, stop at a terminal state, hand over to backfill at the end of the schedule).
configureOrderRuntime({ db: {} as never, vendorFor: () => ({}) as never, encryptionKey: "0".repeat(64), pollScheduleMs: [1000, 2000, 3000] });

const event = { name: "order/created" as const, data: { orderId: "ord_unit" } };
const sleepsMocked = [0, 1, 2].map((i) => ({ id: `wait-${i}`, handler: () => undefined }));

describe("order-fulfil function", () => {
  it("stops after placement when the vendor refused the order", async () => {
    const t = new InngestTestEngine({
      function: fulfilOrder,
      events: [event],
      steps: [{ id: "place-with-vendor", handler: () => ({ orderId: "ord_unit", status: "failed", done: true }) }],
    });
    const { result, ctx } = await t.execute();
    expect(result).toEqual({ orderId: "ord_unit", status: "failed", done: true });
    expect(ctx.step.sleep).not.toHaveBeenCalled();
  });

  it("polls after each sleep until the vendor finishes", async () => {
    const t = new InngestTestEngine({
      function: fulfilOrder,
      events: [event],
      steps: [
        { id: "place-with-vendor", handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) },
        ...sleepsMocked,
        { id: "poll-0", handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) },
        { id: "poll-1", handler: () => ({ orderId: "ord_unit", status: "completed", done: true }) },
      ],
    });
    const { result, ctx } = await t.execute();
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
        { id: "place-with-vendor", handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) },
        ...sleepsMocked,
        ...[0, 1, 2].map((i) => ({ id: `poll-${i}`, handler: () => ({ orderId: "ord_unit", status: "processing", done: false }) })),
      ],
    });
    const { result } = await t.execute();
    expect(result).toMatchObject({ status: "processing", handedToBackfill: true });
  });
});
