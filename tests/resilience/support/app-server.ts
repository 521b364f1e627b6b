/**
 * The app as `scripts/start.ts` runs it (production `next start` in our HTTP server, embedded
 * worker, migrations, local seed), with one difference for resilience runs: the vendor client's
 * spacing follows the mock's scaled limits (MOCK_VENDOR_RATE_SCALE), its timeout is short
 * (RESILIENCE_VENDOR_TIMEOUT_MS) and orders are polled every second. With Bamboo's published
 * limits (2 placements and 2 polls a second) a thousand orders would take a quarter of an hour.
 *
 * Test-only hooks: RESILIENCE_HANG_PLACEMENTS=n makes the first n placements of this process
 * never settle (no request is sent, the promise never resolves or rejects): a step stuck inside
 * our own code, past every vendor timeout, for the step-deadline scenarios.
 * RESILIENCE_LOG_PLACEMENTS=1 logs each placement this process sends; RESILIENCE_VENDOR_APP_URL
 * makes it call another instance's mock (one vendor account for a cluster).
 */
import { getDb } from "@/server/db/client";
import { runApp } from "@/server/boot/run";
import { BAMBOO_LIMITS, bambooConfigFromEnv, createBambooClient, type BambooClient } from "@/server/supplier/bamboo";
import { loadEnv } from "@/lib/env";

const scale = Number(process.env.MOCK_VENDOR_RATE_SCALE ?? 1);
const timeoutMs = Number(process.env.RESILIENCE_VENDOR_TIMEOUT_MS ?? 2_000);
let client: BambooClient | undefined;
let hangsLeft = Number(process.env.RESILIENCE_HANG_PLACEMENTS ?? 0);

function hangingFirstPlacements(real: BambooClient): BambooClient {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "placeOrder") {
        return (...args: Parameters<BambooClient["placeOrder"]>) => {
          if (hangsLeft-- > 0) {
            console.log(`[resilience] placement of order ${String(args[0]?.orderId ?? "?")} left hanging (test hook)`);
            return new Promise<never>(() => {});
          }
          // Which instance placed what (RESILIENCE_LOG_PLACEMENTS=1): the instances share one vendor account.
          if (process.env.RESILIENCE_LOG_PLACEMENTS === "1") console.log(`[resilience] placement sent: ${String(args[0]?.orderId ?? "?")}`);
          return target.placeOrder(...args);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const services = {
  vendorFor: () => {
    if (!client) {
      // One vendor for every instance of a cluster, as in production (one vendor account, one
      // poller lane): RESILIENCE_VENDOR_APP_URL names the instance whose mock they all call.
      const settings = loadEnv();
      const base = bambooConfigFromEnv({ ...settings, BAMBOO_BASE_URL: undefined, APP_URL: process.env.RESILIENCE_VENDOR_APP_URL ?? settings.APP_URL });
      client = createBambooClient(getDb(), {
        ...base,
        limits: {
          placeOrderMs: BAMBOO_LIMITS.placeOrderMs / scale,
          // The built-in mock enforces the per-product limit too (MOCK_VENDOR_PRODUCT_PLACEMENTS_PER_MINUTE, same scale).
          placeOrderPerProductMs: BAMBOO_LIMITS.placeOrderPerProductMs / scale,
          getOrderMs: BAMBOO_LIMITS.getOrderMs / scale,
          catalogMs: BAMBOO_LIMITS.catalogMs / scale,
          otherMs: BAMBOO_LIMITS.otherMs / scale,
        },
        retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000, timeoutMs },
      });
      if (hangsLeft > 0 || process.env.RESILIENCE_LOG_PLACEMENTS === "1") client = hangingFirstPlacements(client);
    }
    return client;
  },
  orders: { pollScheduleMs: Array.from({ length: 60 }, () => 1_000) },
};

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
await runApp({ dev: false, services });
