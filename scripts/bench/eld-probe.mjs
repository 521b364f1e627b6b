/**
 * Bench only: loaded into an app process with `--import` when BENCH_ELD_PORT is set (scripts/bench/server.ts).
 * Measures that process's event-loop delay (perf_hooks.monitorEventLoopDelay) and answers it on
 * 127.0.0.1:BENCH_ELD_PORT: GET /reset starts a new window, GET /read returns the window's
 * percentiles in ms (the timer's own resolution taken off), and the longest garbage-collection
 * pause and their sum over the window. Never part of the app.
 */
import http from "node:http";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";

const port = Number(process.env.BENCH_ELD_PORT);
if (port) {
  const RESOLUTION_MS = 10;
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
  // Garbage-collection pauses over the same window: the longest and their sum (main thread).
  const gc = { maxMs: 0, totalMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.maxMs = Math.max(gc.maxMs, e.duration);
      gc.totalMs += e.duration;
    }
  }).observe({ entryTypes: ["gc"] });
  const r1 = (x) => Math.round(x * 10) / 10;
  const server = http.createServer((req, res) => {
    const body = {
      p50Ms: ms(h.percentile(50)),
      p90Ms: ms(h.percentile(90)),
      p99Ms: ms(h.percentile(99)),
      maxMs: ms(h.max),
      samples: h.count,
      gcMaxMs: r1(gc.maxMs),
      gcTotalMs: r1(gc.totalMs),
    };
    if (req.url === "/reset") {
      h.reset();
      gc.maxMs = 0;
      gc.totalMs = 0;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(body));
  });
  server.on("error", () => {}); // a second process with the same setting (none expected) just goes without
  server.listen(port, "127.0.0.1");
  server.unref();
}
