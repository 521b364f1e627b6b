import type { Inngest, InngestFunction } from "inngest";
import { serve } from "inngest/edge";
import type { Services } from "@/server/boot/services";
import { withServices } from "../client";

/** A memoised step outcome as the SDK expects it in the request's `steps`. */
export type Memo = { type: "data"; data: unknown } | { type: "error"; error: unknown };

/** One operation of a 206 answer (the fields the executor reads). */
export interface Op {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  userland?: { id: string; index?: number };
  data?: unknown;
  error?: { name?: string; message?: string; stack?: string };
  opts?: Record<string, unknown>;
}

export type CallResult =
  | { kind: "done"; output: unknown }
  | { kind: "ops"; ops: Op[]; noRetry: boolean; retryAfterMs?: number }
  | { kind: "error"; error: SerializedError; retriable: boolean; retryAfterMs?: number };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export interface CallInput {
  fnId: string;
  /** A planned step's hashed id, or "step" to run the function until its next new step. */
  stepId: string;
  runId: string;
  event: Record<string, unknown>;
  memo: Map<string, Memo>;
  /** Hashed ids of memoised steps in the order they finished. */
  stack: string[];
  attempt: number;
  maxAttempts: number;
}

/**
 * Calls the app's own serve handler in-process with the Inngest execution protocol (v2),
 * exactly as an Inngest server would over HTTP, and classifies the answer.
 */
export function createProtocolClient(client: Inngest.Any, functions: readonly InngestFunction.Any[], services: () => Services) {
  const handler = serve({ client, functions: functions as InngestFunction.Any[] });

  return async function call(input: CallInput): Promise<CallResult> {
    const steps: Record<string, Memo> = {};
    for (const [id, m] of input.memo) steps[id] = m;
    const body = {
      version: 2,
      event: input.event,
      events: [input.event],
      steps,
      // No fn_id / qi_id: those make the SDK checkpoint against a server.
      ctx: {
        run_id: input.runId,
        attempt: input.attempt,
        max_attempts: input.maxAttempts,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack: input.stack, current: input.stack.length },
      },
    };
    const url = `http://embedded/api/inngest?fnId=${encodeURIComponent(input.fnId)}&stepId=${encodeURIComponent(input.stepId)}`;
    const res = await withServices(services, () =>
      handler(
        new Request(url, {
          method: "POST",
          headers: { "content-type": "application/json", host: "embedded" },
          body: JSON.stringify(body),
        }),
      ),
    );
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : null;
    const noRetry = res.headers.get("x-inngest-no-retry") === "true";
    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
    if (res.status === 200) return { kind: "done", output: parsed };
    if (res.status === 206 && Array.isArray(parsed)) return { kind: "ops", ops: parsed as Op[], noRetry, retryAfterMs };
    return {
      kind: "error",
      error: toSerializedError(parsed, res.status),
      retriable: res.status !== 400 && !noRetry,
      retryAfterMs,
    };
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toSerializedError(value: unknown, status?: number): SerializedError {
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    const message = typeof v.message === "string" ? v.message : typeof v.error === "string" ? v.error : JSON.stringify(v);
    return { name: typeof v.name === "string" ? v.name : "Error", message, stack: typeof v.stack === "string" ? v.stack : undefined };
  }
  return { name: "Error", message: typeof value === "string" && value ? value : `serve handler answered ${status ?? "?"}` };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** When a `Sleep` op wakes: its name is a duration ("1m30s") or an ISO instant. */
export function sleepUntil(op: Op, now = Date.now()): Date {
  const name = op.name ?? "";
  if (/^\d{4}-\d{2}-\d{2}T/.test(name)) return new Date(Date.parse(name));
  const units: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  let ms = 0;
  for (const part of name.matchAll(/(\d+)([wdhms])/g)) ms += Number(part[1]) * units[part[2]!]!;
  return new Date(now + ms);
}
