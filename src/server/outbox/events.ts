import { eventType, type StandardSchemaV1 } from "inngest";
import { z } from "zod";

/**
 * Every event of the app, with the schema of its data. Functions trigger on these
 * (`triggers: [orderCreated]`) and `enqueueEvent` / `inngest.send` are type-checked by them.
 */
export const orderCreated = eventType("order/created", { schema: z.object({ orderId: z.string() }) });
/**
 * `source`: where the order came from ("api", "dashboard", "console"), so a function can skip what
 * is not its concern (absent in events written before it existed). `via: "batch"`: completed in a
 * vendor batch's settlement, whose `orders/completed` event carries the members' webhook events.
 */
export const orderCompleted = eventType("order/completed", {
  schema: z.object({ orderId: z.string(), source: z.string().optional(), via: z.literal("batch").optional() }),
});
/**
 * The orders one vendor batch's settlement completed (up to 500): their partners' webhook events and
 * low-balance checks in one run, instead of one run per order.
 */
export const ordersCompleted = eventType("orders/completed", { schema: z.object({ batchId: z.string(), orderIds: z.array(z.string()).min(1) }) });
export const orderFailed = eventType("order/failed", {
  schema: z.object({ orderId: z.string(), reason: z.string().optional() }),
});
/** A vendor batch was opened (or is re-driven): its function gathers, closes, places and polls it. */
export const orderBatchReady = eventType("order/batch.ready", { schema: z.object({ batchId: z.string() }) });
export const webhookDeliver = eventType("webhook/deliver", {
  schema: z.object({ deliveryId: z.string() }),
});
export const catalogSyncRequested = eventType("catalog/sync.requested", {
  schema: z.object({ source: z.enum(["manual", "schedule"]).optional(), requestedBy: z.string().optional() }),
});

/** The cron jobs an admin may run now from the Operations page (`function` is the job's id). */
export const RUNNABLE_JOBS = ["orders-backfill", "orders-reconcile", "ledger-consistency", "partners-engagement", "ops-monitor"] as const;
/** An admin asked for a run of one cron job now (Operations page). */
export const opsRunRequested = eventType("ops/run.requested", {
  schema: z.object({ function: z.enum(RUNNABLE_JOBS), requestedBy: z.string() }),
});

/** An email to render and deliver (`requestEmail` in src/server/email); `template` picks the template, `params` fill it. */
export const emailRequested = eventType("email/requested", {
  schema: z.object({
    to: z.string(),
    partnerId: z.string().nullable().optional(),
    template: z.enum([
      "welcome",
      "webhook_endpoint_disabled",
      "topup_approved",
      "activation_nudge",
      "low_balance",
      "go_live_decided",
      "team_invite",
      "sale_receipt",
      "re_engagement",
      "admin_alert",
    ]),
    userId: z.string().optional(),
    params: z.record(z.string(), z.string()),
  }),
});

export const appEvents = [
  orderCreated,
  orderCompleted,
  ordersCompleted,
  orderFailed,
  orderBatchReady,
  webhookDeliver,
  catalogSyncRequested,
  emailRequested,
  opsRunRequested,
] as const;

type DataOf<T> = T extends { schema: infer S } ? (S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never) : never;

/** The events tests send: any name under `test/`, any JSON object as data. */
export type TestEvent = { name: `test/${string}`; data: Record<string, unknown>; id?: string; ts?: number };

/** An event the app may send: a known name with its typed data (or a `test/…` event). */
export type AppEvent =
  | {
      [K in keyof typeof appEvents & `${number}`]: {
        name: (typeof appEvents)[K]["name"];
        data: DataOf<(typeof appEvents)[K]>;
        /** Idempotency key: a second event with the same id is dropped. */
        id?: string;
        ts?: number;
      };
    }[keyof typeof appEvents & `${number}`]
  | TestEvent;

export type AppEventName = AppEvent["name"];
