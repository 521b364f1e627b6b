import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueEvent } from "@/server/outbox";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createStepLog } from "../support/jobs-functions";
import { waitFor } from "../support/wait";

let t: TestDatabase;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await createStepLog(t.sql);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await t?.close();
});

function startWorker(): Promise<ChildProcess> {
  const child = spawn("npx", ["tsx", "tests/support/jobs-worker.ts", t.url], {
    env: { ...process.env, STEP_DELAY_MS: "300", LEASE_MS: "1500" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => b.toString().includes("worker ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
    setTimeout(() => reject(new Error("worker did not start")), 30_000);
  });
}

describe("embedded executor crash recovery", () => {
  it("resumes every run after SIGKILL without re-running a finished step", async () => {
    const first = await startWorker();
    const eventIds = (await Promise.all(Array.from({ length: 8 }, (_, n) => enqueueEvent(t.db, { name: "test/three", data: { n } })))).flat();

    // Kill once some runs sleep and some are inside a step.
    await waitFor("runs to be sleeping and mid-step", async () => {
      const [r] = await t.sql<{ sleeping: number; started: number }[]>`
        select count(*) filter (where status = 'sleeping')::int as sleeping,
               count(*) filter (where status = 'running' and step_count = 0)::int as started
        from job_runs`;
      return r!.sleeping > 0 && (await t.sql`select 1 from test_step_log where step = 'one'`).length > 0 && r;
    });
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));

    const before = await t.sql<{ run_id: string; name: string }[]>`select run_id, name from job_steps where op = 'StepRun'`;
    const states = await t.sql<{ status: string }[]>`select status from job_runs`;
    expect(states.some((s) => s.status === "sleeping")).toBe(true);
    expect(states.some((s) => s.status !== "completed")).toBe(true);

    await startWorker();
    await waitFor(
      "every run to complete after the restart",
      async () => {
        const [r] = await t.sql<{ n: number }[]>`select count(*)::int as n from job_runs where status = 'completed'`;
        return r!.n === eventIds.length;
      },
      30_000,
    );

    // A step whose result was recorded before the crash never ran again.
    for (const s of before) {
      const [row] = await t.sql<{ n: number }[]>`select n from test_step_log where run_id = ${s.run_id} and step = ${s.name}`;
      expect(row!.n, `${s.run_id} ${s.name}`).toBe(1);
    }
    expect(before.length).toBeGreaterThan(0);
    // Every step of every run ran, and at most the one interrupted step of a run ran twice.
    const log = await t.sql<{ run_id: string; step: string; n: number }[]>`select run_id, step, n from test_step_log`;
    expect(log.length).toBe(eventIds.length * 3);
    expect(log.every((l) => l.n === 1 || l.n === 2)).toBe(true);
    const outputs = await t.sql<{ output: { sum: number } }[]>`select output from job_runs`;
    expect(outputs.every((o) => o.output.sum === 6)).toBe(true);
  });
});
