import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedWorker, type EmbeddedWorker } from "@/server/jobs/executor/worker";
import { enqueueEvent } from "@/server/outbox";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { waitFor } from "../support/wait";

/**
 * Inngest's `priority.run` in the embedded executor: a run of a function with priority N is queued
 * as if it had arrived N seconds earlier, so a backlog of other runs does not delay it (the order
 * engine gives its vendor-batch runs priority over the per-order runs that feed them).
 */
let t: TestDatabase;
let worker: EmbeddedWorker;
const started: string[] = [];
const inngest = new Inngest({ id: "steller" });
const slow = inngest.createFunction({ id: "prio-slow", triggers: [{ event: "test/slow" }] }, async ({ event, step }) => {
  await step.run("work", async () => {
    started.push(`slow:${(event.data as { n: number }).n}`);
    await new Promise((r) => setTimeout(r, 100));
  });
});
const urgent = inngest.createFunction({ id: "prio-urgent", triggers: [{ event: "test/urgent" }], priority: { run: "600" } }, async ({ step }) => {
  await step.run("work", async () => {
    started.push("urgent");
  });
});

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

describe("embedded executor: priority", () => {
  it("claims a run with priority before a backlog queued ahead of it", async () => {
    await enqueueEvent(t.db, Array.from({ length: 30 }, (_, n) => ({ name: "test/slow", data: { n } })) as never);
    await enqueueEvent(t.db, { name: "test/urgent", data: {} } as never);
    worker = await startEmbeddedWorker({ db: t.db, functions: [slow, urgent], pollMs: 20, maxInFlight: 2, onError: (e) => console.error(e) });
    await waitFor("every run to finish", async () => {
      const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from job_runs where status = 'completed'`;
      return row!.n === 31;
    });
    // Without priority the urgent run would start last (it was enqueued after 30 runs of 100 ms, two at a time).
    expect(started.indexOf("urgent")).toBeLessThan(4);
  });
});
