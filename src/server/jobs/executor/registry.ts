import type { InngestFunction } from "inngest";
import { Cron } from "croner";

/** How the embedded executor sees one function: the config an Inngest server would sync. */
export interface RegisteredFunction {
  /** App-prefixed id, as in the serve URL's `fnId` (`steller-send-webhook`). */
  id: string;
  name: string;
  events: { name: string; matches: (event: { data: unknown }) => boolean }[];
  cron?: { expression: string; next: (after: Date) => Date | null };
  maxAttempts: number;
  concurrency?: { limit: number; key?: (event: unknown) => string | null };
  throttle?: { limit: number; periodMs: number; key?: (event: unknown) => string | null };
  /**
   * Inngest's `priority.run`, in seconds: a run is queued as if it had arrived that much earlier
   * (negative: later), so it is claimed before runs that came in up to that long before it.
   */
  prioritySeconds?: number;
}

interface SyncedConfig {
  id: string;
  name: string;
  triggers: { event?: string; expression?: string; cron?: string }[];
  steps: Record<string, { retries?: { attempts?: number } }>;
  concurrency?: number | { limit: number; key?: string; scope?: string } | { limit: number; key?: string; scope?: string }[];
  throttle?: { limit: number; period: string | number; key?: string; burst?: number };
  rateLimit?: unknown;
  debounce?: unknown;
  batchEvents?: unknown;
  idempotency?: unknown;
  cancel?: unknown;
  priority?: { run?: string };
  singleton?: unknown;
}

/** Inngest's default when a function sets no `retries`. */
const DEFAULT_RETRIES = 3;

/**
 * Reads each function's synced config (as `serve` would send it to an Inngest server) and
 * turns it into what the executor needs. Throws, naming the function, for a feature the
 * embedded mode does not honour, so it is refused at start-up rather than ignored.
 */
export function registerFunctions(appId: string, functions: readonly InngestFunction.Any[]): Map<string, RegisteredFunction> {
  const out = new Map<string, RegisteredFunction>();
  for (const fn of functions) {
    const configs = (fn as unknown as { getConfig(o: { baseUrl: URL; appPrefix: string }): SyncedConfig[] }).getConfig({
      baseUrl: new URL("http://embedded/api/inngest"),
      appPrefix: appId,
    });
    for (const config of configs) {
      const r = toRegistered(config);
      if (out.has(r.id)) throw new Error(`embedded jobs: two functions have the id "${r.id}"`);
      out.set(r.id, r);
    }
  }
  return out;
}

function toRegistered(c: SyncedConfig): RegisteredFunction {
  const refuse = (what: string) => {
    throw new Error(
      `embedded jobs: function "${c.id}" uses ${what}, which the embedded executor does not support; run an Inngest server (INNGEST_* settings) or remove it`,
    );
  };
  for (const [key, label] of [
    ["rateLimit", "rateLimit"],
    ["debounce", "debounce"],
    ["batchEvents", "batchEvents"],
    ["idempotency", "idempotency"],
    ["cancel", "cancelOn"],
    ["singleton", "singleton"],
  ] as const) {
    if (c[key] !== undefined && c[key] !== null) refuse(label);
  }
  const events: RegisteredFunction["events"] = [];
  let cron: RegisteredFunction["cron"];
  for (const t of c.triggers) {
    if (t.cron) {
      if (cron) refuse("more than one cron trigger");
      cron = parseCron(t.cron, c.id);
    } else if (t.event) {
      events.push({ name: t.event, matches: t.expression ? compileCondition(t.expression, c.id) : () => true });
    }
  }
  const attempts = c.steps.step?.retries?.attempts ?? DEFAULT_RETRIES;
  let concurrency: RegisteredFunction["concurrency"];
  if (c.concurrency !== undefined) {
    const list = Array.isArray(c.concurrency) ? c.concurrency : [c.concurrency];
    if (list.length > 1) refuse("more than one concurrency limit");
    const one = list[0]!;
    const cfg = typeof one === "number" ? { limit: one } : one;
    if (typeof cfg !== "number" && cfg.scope && cfg.scope !== "fn") refuse(`concurrency scope "${cfg.scope}"`);
    concurrency = { limit: cfg.limit, key: cfg.key ? compileKey(cfg.key, c.id) : undefined };
  }
  let throttle: RegisteredFunction["throttle"];
  if (c.throttle) {
    throttle = {
      limit: c.throttle.limit + (c.throttle.burst ?? 0),
      periodMs: parseDuration(c.throttle.period),
      key: c.throttle.key ? compileKey(c.throttle.key, c.id) : undefined,
    };
  }
  let prioritySeconds: number | undefined;
  if (c.priority?.run !== undefined) {
    // Inngest evaluates an expression per event, bounded to ±600 s; the embedded mode takes a constant.
    const n = Number(c.priority.run.trim());
    if (!Number.isInteger(n) || n < -600 || n > 600)
      refuse(`priority "${c.priority.run}" (the embedded executor supports a constant number of seconds, -600 to 600)`);
    prioritySeconds = n;
  }
  return { id: c.id, name: c.name, events, cron, maxAttempts: attempts + 1, concurrency, throttle, prioritySeconds };
}

/** `TZ=Europe/Paris 0 9 * * *` → next tick strictly after a time, in that zone. */
export function parseCron(spec: string, fnId = "?"): NonNullable<RegisteredFunction["cron"]> {
  const m = /^(?:CRON_)?TZ=(\S+)\s+(.+)$/.exec(spec.trim());
  const timezone = m ? m[1] : "UTC";
  const pattern = m ? m[2]! : spec.trim();
  let job: Cron;
  try {
    job = new Cron(pattern, { timezone, paused: true });
  } catch (e) {
    throw new Error(`embedded jobs: function "${fnId}" has an invalid cron "${spec}": ${(e as Error).message}`);
  }
  return { expression: spec, next: (after) => job.nextRun(after) };
}

/** Durations as Inngest writes them: a number of ms, or "1h30m", "10s", "2d". */
export function parseDuration(value: string | number): number {
  if (typeof value === "number") return value;
  const units: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let matched = "";
  for (const part of value.matchAll(/(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g)) {
    total += Number(part[1]) * units[part[2]!]!;
    matched += part[0];
  }
  if (!matched || matched !== value.replace(/\s+/g, "")) throw new Error(`invalid duration "${value}"`);
  return total;
}

/** A key expression: a dotted path into `{ event }`, e.g. `event.data.accountId`. */
function compileKey(expression: string, fnId: string): (scope: unknown) => string | null {
  const path = expression.trim();
  if (!/^event(\.[A-Za-z_$][\w$]*)+$/.test(path)) {
    throw new Error(
      `embedded jobs: function "${fnId}" has key expression "${expression}"; the embedded executor supports dotted paths like event.data.accountId`,
    );
  }
  const parts = path.split(".");
  return (scope) => {
    let v: unknown = scope;
    for (const p of parts) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
    return v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v);
  };
}

/** A trigger condition: `<path> == '<literal>'` or `!=` clauses joined by `&&` (what onFailure triggers and ours use). A missing field is null: `!=` any literal holds. */
function compileCondition(expression: string, fnId: string): (event: { data: unknown }) => boolean {
  const clauses = expression.split("&&").map((c) => {
    const m = /^\s*(event(?:\.[\w$]+)+)\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?|true|false))\s*$/.exec(c);
    if (!m) {
      throw new Error(
        `embedded jobs: function "${fnId}" has trigger condition "${expression}"; the embedded executor supports event.path == 'value' and event.path != 'value' clauses joined by &&`,
      );
    }
    const get = compileKey(m[1]!, fnId);
    const equal = m[2] === "==";
    const want = m[3] ?? m[4] ?? m[5]!;
    return (event: unknown) => (get({ event }) === want) === equal;
  });
  return (event) => clauses.every((f) => f(event));
}
