import { env, type Env } from "@/lib/env";

export interface BambooLimits {
  /** Minimum spacing between calls of each kind for one vendor account, in ms. */
  placeOrderMs: number;
  /** Per product: about 6 placements a minute. 0 disables. */
  placeOrderPerProductMs: number;
  getOrderMs: number;
  catalogMs: number;
  otherMs: number;
}

export interface BambooRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  /**
   * The longest one call waits in process (rate-limit slots and backoff together); a longer wait
   * becomes an error carrying `retryAfterMs` for the job engine. A call so takes at most
   * maxWaitMs + maxAttempts × timeoutMs.
   */
  maxWaitMs?: number;
  /** A wait the vendor asks for (429 `Retry-After` or "wait for N seconds") is capped at this. */
  maxVendorWaitMs?: number;
}

export interface BambooConfig {
  /** Up to, not including, `/api/integration/…`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  accountId: number;
  limits: BambooLimits;
  retry: BambooRetry;
  /**
   * How requests are sent; the global `fetch` when unset. The sandbox reaches the built-in mock
   * vendor in-process through this (no public route needed), with the same client and limits.
   */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** The vendor's published limits (see /work/shared/vendor/bamboo-api.md). */
export const BAMBOO_LIMITS: BambooLimits = {
  placeOrderMs: 500, // 2 per second
  placeOrderPerProductMs: 10_000, // ~6 per product per minute
  getOrderMs: 500, // 120 per minute
  catalogMs: 1_000, // 1 per second
  otherMs: 1_000,
};

export const DEFAULT_RETRY: Required<BambooRetry> = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  timeoutMs: 15_000,
  maxWaitMs: 30_000,
  maxVendorWaitMs: 300_000,
};

/** The funding account our mock vendor seeds (USD); products at the mock are priced in USD. */
export const MOCK_ACCOUNT_ID = 1001;

/**
 * The vendor configuration from the environment: the real Bamboo when BAMBOO_BASE_URL is set
 * (then id, secret and account are required), otherwise our mock vendor at `${APP_URL}/api/mock-vendor`.
 */
export function bambooConfigFromEnv(e: Env = env()): BambooConfig {
  const retry = { ...DEFAULT_RETRY, timeoutMs: e.BAMBOO_TIMEOUT_MS, maxWaitMs: e.BAMBOO_MAX_WAIT_MS };
  const perProduct = e.BAMBOO_PLACEMENTS_PER_PRODUCT_PER_MINUTE;
  const limits: BambooLimits = { ...BAMBOO_LIMITS, placeOrderPerProductMs: perProduct > 0 ? Math.ceil(60_000 / perProduct) : 0 };
  if (e.BAMBOO_BASE_URL) {
    const missing = (["BAMBOO_CLIENT_ID", "BAMBOO_CLIENT_SECRET", "BAMBOO_ACCOUNT_ID"] as const).filter((k) => !e[k]);
    if (missing.length) throw new Error(`BAMBOO_BASE_URL is set, so ${missing.join(", ")} must be set too`);
    return {
      baseUrl: e.BAMBOO_BASE_URL.replace(/\/+$/, ""),
      clientId: e.BAMBOO_CLIENT_ID!,
      clientSecret: e.BAMBOO_CLIENT_SECRET!,
      accountId: e.BAMBOO_ACCOUNT_ID!,
      limits,
      retry,
    };
  }
  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  return {
    baseUrl: `${appUrl}/api/mock-vendor`,
    clientId: e.MOCK_VENDOR_CLIENT_ID,
    clientSecret: e.MOCK_VENDOR_CLIENT_SECRET,
    accountId: MOCK_ACCOUNT_ID,
    limits,
    retry,
  };
}

/** Whether live orders go to our mock vendor (no BAMBOO_BASE_URL configured); dashboards show it. */
export function liveVendorIsMock(e: Env = env()): boolean {
  return !e.BAMBOO_BASE_URL;
}
