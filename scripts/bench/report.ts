import type { Measurement } from "./load";

export interface Row extends Measurement {
  /** This scenario's throughput over the trivial route's, measured on the same server start. */
  vsTrivial: number | null;
  /** Order scenarios: throughput over the direct-database ceiling of the same wallet shape. */
  vsCeiling: number | null;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  /** null: the measurement was too noisy to decide. */
  pass: boolean | null;
}

const pct = (x: number | null) => (x === null ? "" : `${(x * 100).toFixed(0)}%`);
const num = (x: number, digits = 0) => x.toFixed(digits);

/** One plain-text table, columns aligned. */
export function formatTable(rows: Row[]): string {
  const header = ["scenario", "req/s", "p50 ms", "p99 ms", "non-2xx", "vs trivial", "vs db ceiling"];
  const body = rows.map((r) => [
    r.scenario,
    num(r.reqPerSec),
    num(r.p50Ms, r.p50Ms < 10 ? 1 : 0),
    num(r.p99Ms, r.p99Ms < 10 ? 1 : 0),
    String(r.non2xx + r.errors),
    pct(r.vsTrivial),
    pct(r.vsCeiling),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function formatTargets(targets: Target[]): string {
  return targets.map((t) => `${t.pass === null ? "NOISY" : t.pass ? "PASS" : "MISS"}  ${t.name}: ${t.measured} (target ${t.goal})`).join("\n");
}

/** Where the CPU went in each measured window (cores), and what else the machine was doing. */
export function formatCpu(rows: Row[]): string {
  const withCpu = rows.filter((r) => r.cpu);
  if (withCpu.length === 0) return "";
  const cores = withCpu[0]!.cpu!.cores;
  const header = [`CPU (cores of ${cores})`, "busy", "app server", "postgres", "bench/load", "other processes", "server ms/req", "pg ms/req"];
  const perRequest = (c: number, r: Row) => (r.reqPerSec > 0 ? ((c * 1000) / r.reqPerSec).toFixed(1) : "");
  const body = withCpu.map((r) => [
    r.scenario,
    ...[r.cpu!.busy, r.cpu!.server, r.cpu!.postgres, r.cpu!.bench, r.cpu!.other].map((x) => x.toFixed(2)),
    perRequest(r.cpu!.server, r),
    perRequest(r.cpu!.postgres, r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
