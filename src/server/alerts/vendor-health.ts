import { and, desc, gte, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";
import { vendorCalls } from "@/server/db/schema";

/** Error kinds of a recorded vendor call that say the vendor (or the way to it) is failing. */
const FAILING_KINDS = new Set(["unavailable", "timeout", "network", "unexpected_status", "malformed_response"]);

/** How far back the vendor's health is judged, and how many of its latest calls count. */
const VENDOR_HEALTH_WINDOW_MS = 10 * 60_000;
const VENDOR_HEALTH_SAMPLE = 50;
/** At least this many calls before a share of failures means anything. */
const MIN_CALLS = 5;
/** Failing or rate-limited "for minutes": the bad calls span at least this long. */
const VENDOR_SUSTAINED_MS = 2 * 60_000;

export interface VendorHealth {
  windowMinutes: number;
  calls: number;
  failed: number;
  rateLimited: number;
  failureRatio: number;
  rateLimitedRatio: number;
  lastError: string | null;
  failingForMinutes: number;
  rateLimitedForMinutes: number;
  /** Half or more of the calls failing, over at least VENDOR_SUSTAINED_MS. */
  failingSustained: boolean;
  rateLimitedSustained: boolean;
}

/**
 * The vendor's recent health from the calls we recorded (every attempt of order placements and
 * polls, both environments): the latest VENDOR_HEALTH_SAMPLE calls of the window, the share that
 * failed (5xx, timeouts, network, unexpected or malformed answers) and that were rate-limited.
 * Documented refusals (out of stock…) are answers, not failures.
 */
export async function vendorHealth(db: DbOrTx, opts: { now?: Date; windowMs?: number } = {}): Promise<VendorHealth> {
  const now = opts.now ?? new Date();
  const windowMs = opts.windowMs ?? VENDOR_HEALTH_WINDOW_MS;
  const rows = await db
    .select({ startedAt: vendorCalls.startedAt, errorKind: vendorCalls.errorKind, error: vendorCalls.error })
    .from(vendorCalls)
    .where(and(gte(vendorCalls.startedAt, new Date(now.getTime() - windowMs)), inArray(vendorCalls.kind, ["place_order", "get_order", "catalog", "accounts"])))
    .orderBy(desc(vendorCalls.startedAt))
    .limit(VENDOR_HEALTH_SAMPLE);
  const failed = rows.filter((r) => r.errorKind && FAILING_KINDS.has(r.errorKind));
  const limited = rows.filter((r) => r.errorKind === "rate_limited");
  const span = (xs: typeof rows) => (xs.length < 2 ? 0 : xs[0]!.startedAt.getTime() - xs[xs.length - 1]!.startedAt.getTime());
  const calls = rows.length;
  const failureRatio = calls ? failed.length / calls : 0;
  const rateLimitedRatio = calls ? limited.length / calls : 0;
  return {
    windowMinutes: Math.round(windowMs / 60_000),
    calls,
    failed: failed.length,
    rateLimited: limited.length,
    failureRatio,
    rateLimitedRatio,
    lastError: failed[0]?.error ?? null,
    failingForMinutes: Math.floor(span(failed) / 60_000),
    rateLimitedForMinutes: Math.floor(span(limited) / 60_000),
    failingSustained: calls >= MIN_CALLS && failureRatio >= 0.5 && span(failed) >= VENDOR_SUSTAINED_MS,
    rateLimitedSustained: calls >= MIN_CALLS && rateLimitedRatio >= 0.5 && span(limited) >= VENDOR_SUSTAINED_MS,
  };
}
