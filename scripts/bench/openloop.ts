import { appendFileSync } from "node:fs";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { CpuShare } from "./cpu";
import { eventLoopDelay, type EventLoopDelay } from "./server";

/**
 * Open-loop load: requests start at a constant rate whatever the answers do (no connection waits
 * for the previous answer), so a slow answer cannot slow the arrivals down and hide itself. A
 * request's latency runs from its scheduled start, not from when it was actually sent, so a
 * stalled load generator counts against the server (no coordinated omission).
 */
export interface OpenLoopTarget {
  name: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  next?: () => { headers?: Record<string, string>; body?: string };
}

export interface OpenLoopResult {
  scenario: string;
  /** Requests per second asked for, and achieved (answered ÷ window). */
  rate: number;
  achievedRate: number;
  requests: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The app process's event-loop delay over the same window (null: not measured). */
  eventLoop: EventLoopDelay | null;
  /** Where the machine's CPU went over the same window (null: not measured). */
  cpu: CpuShare | null;
  /**
   * The load generator's own health over the window: how late it sent requests (worst, ms after
   * their scheduled start), its own event-loop delay max (ms), and the connections it had to open
   * (every socket busy: a new one per request that found none free).
   */
  generator: { lateMaxMs: number; loopMaxMs: number; newConnections: number };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
let socketsOpened = 0;
/** The load generator's own event-loop probe resolution (taken off what it reads, as the app's probe does). */
const LOOP_RESOLUTION_MS = 10;
/** Milliseconds to one decimal, as every figure of the open-loop table. */
const round1 = (x: number) => Math.round(x * 10) / 10;
const seenSockets = new WeakSet<object>();

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent, headers: body !== undefined ? { ...headers, "content-length": Buffer.byteLength(body) } : headers, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("socket", (socket) => {
      if (!seenSockets.has(socket)) {
        seenSockets.add(socket);
        socketsOpened++;
      }
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * BENCH_DUMP=<file>: every answered request of every window (warm-ups too) appended as a line:
 * target, rate, scheduled start (epoch ms), latency (ms), scheduled start on the monotonic clock (µs,
 * the clock of BENCH_PROFILE's CPU profiles). To find when slow requests happened and what the app
 * was doing then (docs/bench.md).
 */
const DUMP = process.env.BENCH_DUMP;
const dumpLine = (name: string, rate: number, scheduled: number) => {
  const latency = performance.now() - scheduled;
  const monotonicUs = process.hrtime.bigint() / 1000n - BigInt(Math.round(latency * 1000));
  return `${name}\t${rate}\t${Math.round(performance.timeOrigin + scheduled)}\t${latency.toFixed(1)}\t${monotonicUs}`;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function window(t: OpenLoopTarget, rate: number, seconds: number) {
  const url = new URL(t.url);
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  const dump: string[] = [];
  let non2xx = 0;
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const health = { socketsBefore: socketsOpened, lateMaxMs: 0 };
  const started = performance.now();
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && started + (i * 1000) / rate <= now) {
      const scheduled = started + (i * 1000) / rate;
      health.lateMaxMs = Math.max(health.lateMaxMs, now - scheduled);
      const n = t.next?.() ?? {};
      inFlight.push(
        send(url, t.method ?? "GET", { ...t.headers, ...n.headers }, n.body).then(
          (status) => {
            latencies.push(performance.now() - scheduled);
            if (DUMP) dump.push(dumpLine(t.name, rate, scheduled));
            if (status < 200 || status >= 300) non2xx++;
          },
          () => {
            latencies.push(performance.now() - scheduled);
            errors++;
          },
        ),
      );
      i++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  loop.disable();
  const generator = {
    lateMaxMs: round1(health.lateMaxMs),
    loopMaxMs: Math.max(0, round1(loop.max / 1e6 - LOOP_RESOLUTION_MS)),
    newConnections: socketsOpened - health.socketsBefore,
  };
  if (DUMP && dump.length) appendFileSync(DUMP, `${dump.join("\n")}\n`);
  return { latencies: latencies.sort((a, b) => a - b), non2xx, errors, elapsed, generator };
}

/** A warm-up at the same rate (discarded), then the measured window; `eldPort`: the app's event-loop probe. */
export async function runOpenLoop(
  t: OpenLoopTarget,
  rate: number,
  opts: { seconds: number; warmupSeconds: number; eldPort?: number; meter?: () => { end(): CpuShare | null } },
): Promise<OpenLoopResult> {
  if (!["127.0.0.1", "localhost"].includes(new URL(t.url).hostname)) throw new Error("benchmarks load loopback addresses only");
  if (opts.warmupSeconds > 0) await window(t, rate, opts.warmupSeconds);
  if (opts.eldPort) await eventLoopDelay(opts.eldPort, true);
  const cpuWindow = opts.meter?.();
  const w = await window(t, rate, opts.seconds);
  const cpu = cpuWindow?.end() ?? null;
  const eventLoop = opts.eldPort ? await eventLoopDelay(opts.eldPort) : null;
  return {
    scenario: t.name,
    rate,
    achievedRate: w.latencies.length / w.elapsed,
    requests: w.latencies.length,
    non2xx: w.non2xx,
    errors: w.errors,
    p50Ms: round1(percentile(w.latencies, 50)),
    p90Ms: round1(percentile(w.latencies, 90)),
    p99Ms: round1(percentile(w.latencies, 99)),
    maxMs: round1(w.latencies.at(-1) ?? 0),
    eventLoop,
    cpu,
    generator: w.generator,
  };
}

/** Plain-text table of open-loop results. */
export function formatOpenLoop(rows: OpenLoopResult[]): string {
  const header = [
    "open loop",
    "rate/s",
    "achieved",
    "requests",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "non-2xx",
    "loop delay p50/p99/max ms",
    "GC max / total ms",
    "CPU busy (of cores)",
    "generator late / loop max ms, new conns",
  ];
  const body = rows.map((x) => [
    x.scenario,
    String(x.rate),
    x.achievedRate.toFixed(0),
    String(x.requests),
    x.p50Ms.toFixed(1),
    x.p90Ms.toFixed(1),
    x.p99Ms.toFixed(1),
    x.maxMs.toFixed(0),
    String(x.non2xx + x.errors),
    x.eventLoop ? `${x.eventLoop.p50Ms} / ${x.eventLoop.p99Ms} / ${x.eventLoop.maxMs}` : "",
    x.eventLoop ? `${x.eventLoop.gcMaxMs} / ${x.eventLoop.gcTotalMs}` : "",
    x.cpu ? `${x.cpu.busy.toFixed(2)} (of ${x.cpu.cores})` : "",
    `${x.generator.lateMaxMs} / ${x.generator.loopMaxMs}, ${x.generator.newConnections}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
