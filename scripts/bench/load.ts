import autocannon, { type RawRequest } from "autocannon";
import type { CpuShare } from "./cpu";

export interface Measurement {
  scenario: string;
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** CPU use during the measured window, in cores. */
  cpu: CpuShare | null;
}

/** Starts a CPU window for the measured part of a run. */
export type CpuMeter = () => { end(): CpuShare | null };

export interface LoadShape {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** Paced load: at most this many requests per second over all connections (default: back to back). */
  overallRate?: number;
}

export interface HttpScenario {
  name: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Called for every request: a fresh body and headers (unique referenceId, next key). */
  next?: () => { headers?: Record<string, string>; body?: string };
}

/** Loads one HTTP scenario: a warm-up (discarded), then the measured run. */
export async function runHttp(s: HttpScenario, shape: LoadShape, meter?: CpuMeter): Promise<Measurement> {
  const target = new URL(s.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)) throw new Error("benchmarks load loopback addresses only");
  const opts = (duration: number) => ({
    url: target.origin,
    connections: shape.connections,
    duration,
    timeout: 10,
    ...(shape.overallRate ? { overallRate: shape.overallRate } : {}),
    requests: [
      {
        method: s.method ?? "GET",
        path: target.pathname + target.search,
        headers: s.headers ?? {},
        ...(s.next
          ? {
              setupRequest: (req: RawRequest) => {
                const n = s.next!();
                return { ...req, headers: { ...req.headers, ...n.headers }, ...(n.body !== undefined ? { body: n.body } : {}) };
              },
            }
          : {}),
      },
    ],
  });
  if (shape.warmupSeconds > 0) await autocannon(opts(shape.warmupSeconds));
  const window = meter?.();
  const r = await autocannon(opts(shape.seconds));
  const cpu = window?.end() ?? null;
  const total = r["2xx"] + r.non2xx;
  return {
    scenario: s.name,
    requests: total,
    seconds: r.duration,
    reqPerSec: total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    cpu,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * `callers` concurrent loops calling `call` back to back: a warm-up, then the measured window.
 * Latencies are per call; a thrown error counts as a non-2xx.
 */
export async function runDirect(name: string, call: () => Promise<unknown>, shape: LoadShape & { callers: number }, meter?: CpuMeter): Promise<Measurement> {
  const window = async (seconds: number) => {
    const latencies: number[] = [];
    let failed = 0;
    let firstError: unknown = null;
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: shape.callers }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          try {
            await call();
          } catch (e) {
            failed++;
            firstError ??= e;
          }
          latencies.push(performance.now() - t);
        }
      }),
    );
    return { latencies, failed, firstError, elapsed: (performance.now() - started) / 1000 };
  };
  if (shape.warmupSeconds > 0) await window(shape.warmupSeconds);
  const cpuWindow = meter?.();
  const w = await window(shape.seconds);
  const cpu = cpuWindow?.end() ?? null;
  if (w.firstError) console.error(`[bench] ${name}: ${w.failed} call(s) failed, first: ${(w.firstError as Error).message}`);
  const sorted = w.latencies.sort((a, b) => a - b);
  return {
    scenario: name,
    requests: sorted.length,
    seconds: w.elapsed,
    reqPerSec: sorted.length / w.elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    non2xx: w.failed,
    errors: 0,
    statusCodes: {},
    cpu,
  };
}

/**
 * A/B comparison on a noisy machine: the same scenario against two servers, in alternating
 * slices (A B, B A, A B, …) so that drifting background load falls on both sides alike.
 * Throughput is over all slices; p50 is the median of the slices' p50s, p99 the worst slice's.
 */
export async function runInterleaved(
  a: HttpScenario,
  b: HttpScenario,
  shape: LoadShape & { rounds: number },
  meter?: CpuMeter,
): Promise<[Measurement, Measurement]> {
  const slice = { ...shape, warmupSeconds: 0, seconds: shape.seconds };
  if (shape.warmupSeconds > 0) {
    await runHttp(a, { ...slice, seconds: shape.warmupSeconds });
    await runHttp(b, { ...slice, seconds: shape.warmupSeconds });
  }
  const parts: [Measurement[], Measurement[]] = [[], []];
  for (let round = 0; round < shape.rounds; round++) {
    const order = round % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const side of order) parts[side].push(await runHttp(side === 0 ? a : b, slice, meter));
  }
  const merge = (name: string, ms: Measurement[]): Measurement => {
    const requests = ms.reduce((n, m) => n + m.requests, 0);
    const seconds = ms.reduce((n, m) => n + m.seconds, 0);
    const p50s = ms.map((m) => m.p50Ms).sort((x, y) => x - y);
    const codes: Record<string, number> = {};
    for (const m of ms) for (const [k, v] of Object.entries(m.statusCodes)) codes[k] = (codes[k] ?? 0) + v;
    const cpus = ms.map((m) => m.cpu).filter((c): c is CpuShare => c !== null);
    const avg = (k: keyof CpuShare) => Math.round((cpus.reduce((n, c) => n + c[k], 0) / cpus.length) * 100) / 100;
    return {
      scenario: name,
      requests,
      seconds,
      reqPerSec: requests / seconds,
      p50Ms: p50s[Math.floor(p50s.length / 2)]!,
      p99Ms: Math.max(...ms.map((m) => m.p99Ms)),
      non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
      errors: ms.reduce((n, m) => n + m.errors, 0),
      statusCodes: codes,
      cpu: cpus.length
        ? { cores: cpus[0]!.cores, busy: avg("busy"), server: avg("server"), postgres: avg("postgres"), bench: avg("bench"), other: avg("other") }
        : null,
    };
  };
  return [merge(a.name, parts[0]), merge(b.name, parts[1])];
}
