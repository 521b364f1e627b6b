// Retrying safely: 429 (rate limited) and 503 (busy) answers carry Retry-After; network errors
// and 5xx are worth a retry too. Orders are idempotent by referenceId, so a retried POST after
// a timeout returns the order the first attempt created instead of buying twice.
import { createSteller } from "@steller/sdk";

export async function withRetries(
  send: () => Promise<Response>,
  { attempts = 5, onRetry }: { attempts?: number; onRetry?: (status: number, waitMs: number) => void } = {},
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    let res: Response | undefined;
    try {
      res = await send();
    } catch (error) {
      if (attempt >= attempts) throw error; // network error: retry it like a 503
    }
    if (res && res.status !== 429 && res.status < 500) return res;
    if (attempt >= attempts) return res!;
    const retryAfter = Number(res?.headers.get("retry-after"));
    // Retry-After when given, else exponential backoff; plus jitter, so that a burst of clients
    // told "retry in 1 s" do not all come back in the same millisecond.
    const baseMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : Math.min(8000, 250 * 2 ** attempt);
    const waitMs = baseMs * (1 + Math.random() / 2);
    onRetry?.(res?.status ?? 0, waitMs);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

// With the SDK: every call it makes goes through withRetries.
export function createRetryingSteller(baseUrl: string, apiKey: string) {
  return createSteller({ baseUrl, apiKey, fetch: (request: Request) => withRetries(() => fetch(request.clone())) });
}
