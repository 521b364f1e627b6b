import fs from "node:fs";
import os from "node:os";

/**
 * Where the machine's CPU went during a measured window (Linux /proc): the app server's Node
 * process(es), PostgreSQL (every process under the server named postgres), this bench process
 * (autocannon or the direct callers) and everything else on the machine — other people's work
 * shows up there and explains noisy figures. Shares are in cores (2.0 = both cores of 2 busy).
 */
export interface CpuShare {
  cores: number;
  busy: number;
  server: number;
  postgres: number;
  bench: number;
  other: number;
}

interface Snapshot {
  at: number;
  machineBusy: number;
  pids: Map<number, { ticks: number; comm: string; ppid: number }>;
}

const TICK = 100; // USER_HZ on Linux

function readProcStat(pid: string) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    return { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null; // the process ended meanwhile
  }
}

function snapshot(): Snapshot | null {
  if (process.platform !== "linux") return null;
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  const machineBusy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3]! - cpu[4]!;
  const pids = new Map<number, { ticks: number; comm: string; ppid: number }>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(name);
    if (st) pids.set(Number(name), st);
  }
  return { at: performance.now(), machineBusy, pids };
}

function descendants(pids: Snapshot["pids"], roots: number[]): Set<number> {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of pids) {
      if (!out.has(pid) && out.has(p.ppid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return out;
}

/** Starts a window; `end()` reports the CPU shares since. `serverPids()` is read at the end. */
export function cpuWindow(serverPids: () => number[]): { end(): CpuShare | null } {
  const a = snapshot();
  return {
    end() {
      const b = snapshot();
      if (!a || !b) return null;
      const seconds = (b.at - a.at) / 1000;
      const tree = descendants(b.pids, serverPids());
      let server = 0;
      let postgres = 0;
      for (const pid of tree) {
        const after = b.pids.get(pid)!;
        const before = a.pids.get(pid)?.ticks ?? 0;
        const d = Math.max(0, after.ticks - before);
        if (after.comm === "postgres") postgres += d;
        else server += d;
      }
      const own = b.pids.get(process.pid);
      const bench = own ? own.ticks - (a.pids.get(process.pid)?.ticks ?? 0) : 0;
      const busy = b.machineBusy - a.machineBusy;
      const cores = (t: number) => Math.round((t / TICK / seconds) * 100) / 100;
      return {
        cores: os.cpus().length,
        busy: cores(busy),
        server: cores(server),
        postgres: cores(postgres),
        bench: cores(bench),
        other: cores(Math.max(0, busy - server - postgres - bench)),
      };
    },
  };
}
