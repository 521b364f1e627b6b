import type { Db } from "../../src/server/db/client";
import { RequestLogWriter } from "../../src/server/requestlog/writer";
import type { CpuMeter, Measurement } from "./load";

/** What one request-log entry costs: CPU of the process that records it, and of PostgreSQL. */
export interface LogEntryCost {
  entries: number;
  /** Recording plus the batched insert, in the writing process (µs of CPU per entry). */
  writerMicros: number;
  /** PostgreSQL's CPU per entry, above its idle rate measured just before (µs). */
  postgresMicros: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Measures the request log's own work directly: `entries` entries shaped like the server's go
 * through the same RequestLogWriter (same buffer, same 500-row batch inserts) into the bench
 * database, and the CPU it took is read from this process and from PostgreSQL. Far steadier
 * than comparing two servers' throughput on a shared 2-core machine: the cost is then read as a
 * share of the CPU each request costs (see `logShare`).
 */
export async function measureLogEntryCost(db: Db, meter: CpuMeter, entries = 20_000): Promise<LogEntryCost> {
  const writer = new RequestLogWriter(() => db);
  const entry = (i: number) => ({
    partnerId: null,
    environment: "sandbox",
    keyStart: "stlr_test_Bnch",
    method: i % 2 ? "GET" : "POST",
    path: i % 2 ? "/api/v1/catalog" : "/api/v1/orders",
    status: i % 2 ? 200 : 202,
    latencyMs: 40 + (i % 50),
    ip: "127.0.0.1",
    requestId: `req_bench${i.toString(16).padStart(16, "0")}`,
    errorCode: null,
    createdAt: new Date(),
  });
  // PostgreSQL's background rate (the server's worker keeps polling its backlog): measured idle.
  const idleMs = 2_000;
  const idle = meter();
  await sleep(idleMs);
  const idleCpu = idle.end();
  const window = meter();
  const started = performance.now();
  const before = process.cpuUsage();
  for (let i = 0; i < entries; i++) {
    writer.record(entry(i));
    if (i % 500 === 499) await writer.flush(); // as the writer does when a batch is full
  }
  await writer.flush();
  const used = process.cpuUsage(before);
  const seconds = (performance.now() - started) / 1000;
  const cpu = window.end();
  if (writer.dropped > 0) throw new Error(`the request log dropped ${writer.dropped} entries while measured`);
  const pgCores = cpu && idleCpu ? Math.max(0, cpu.postgres - idleCpu.postgres) : 0;
  return {
    entries,
    writerMicros: (used.user + used.system) / entries,
    postgresMicros: (pgCores * seconds * 1e6) / entries,
  };
}

/**
 * The share of a request's CPU that its log entry costs, for the scarcer resource: the app
 * server's one thread (the bottleneck on these routes: its share is what throughput loses) or
 * the whole machine (server, PostgreSQL and load generator together, when both cores are busy).
 */
export function logShare(cost: LogEntryCost, m: Measurement): { server: number; machine: number; worst: number } {
  if (!m.cpu || m.reqPerSec <= 0) return { server: Number.NaN, machine: Number.NaN, worst: Number.NaN };
  const perRequestMicros = (cores: number) => (cores * 1e6) / m.reqPerSec;
  const server = cost.writerMicros / perRequestMicros(m.cpu.server);
  const machine = (cost.writerMicros + cost.postgresMicros) / perRequestMicros(m.cpu.server + m.cpu.postgres + m.cpu.bench);
  return { server, machine, worst: Math.max(server, machine) };
}
