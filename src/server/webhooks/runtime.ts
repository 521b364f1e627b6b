import { envValue } from "@/lib/env";
import type { Db } from "@/server/db/client";
import type { Resolver } from "./http";

/**
 * What webhook delivery works with. Defaults: the process database, ENCRYPTION_KEY, private
 * targets allowed only with an explicit WEBHOOK_ALLOW_PRIVATE_TARGETS=true (which `npm run dev`
 * sets; never inferred from NODE_ENV, which defaults to development), the Standard Webhooks
 * retry schedule. Part of the services built at boot (`services.webhooks`); tests build their
 * own (1 s retries, a test key).
 */
export interface WebhookRuntime {
  db: Db;
  encryptionKey: string;
  allowPrivateTargets: boolean;
  /** Waits before each retry, in ms: the first attempt is immediate, one more per entry. */
  retryScheduleMs: number[];
  timeoutMs: number;
  /** Disable an endpoint that has kept failing this long since its first failure… */
  disableAfterFailingMs: number;
  /** …or after this many exhausted deliveries in a row. */
  disableAfterExhausted: number;
  /** DNS resolution of endpoint hosts (default: the system resolver, every address). */
  resolve?: Resolver;
}

/** Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts over about 27.6 h. */
export const DEFAULT_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/**
 * The sender's settings from the environment alone, for endpoint functions called without
 * options (EndpointOptions' fallback). Everything else gets `services.webhooks`, built at boot.
 */
export function webhookRuntime(): Pick<WebhookRuntime, "encryptionKey" | "allowPrivateTargets"> {
  return { encryptionKey: envValue("ENCRYPTION_KEY"), allowPrivateTargets: envValue("WEBHOOK_ALLOW_PRIVATE_TARGETS") };
}
