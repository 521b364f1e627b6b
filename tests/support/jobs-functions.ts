import { NonRetriableError } from "inngest";
import type postgres from "postgres";
import { inngest } from "@/server/jobs/client";

/** Tables the test functions write to, so tests count how often each step really ran. */
export async function createStepLog(sql: postgres.Sql) {
  await sql`create table if not exists test_step_log (run_id text, step text, n int not null, primary key (run_id, step))`;
  await sql`create table if not exists test_failures (run_id text primary key, function_id text, message text)`;
}

/** Test functions, built on the app's one client, that record each step execution in Postgres. */
export function makeTestFunctions(sql: postgres.Sql, opts: { stepDelayMs?: number } = {}) {
  const ran = async (runId: string, step: string) => {
    const [row] = await sql<{ n: number }[]>`
      insert into test_step_log (run_id, step, n) values (${runId}, ${step}, 1)
      on conflict (run_id, step) do update set n = test_step_log.n + 1 returning n`;
    return row!.n;
  };
  const pause = () => new Promise((r) => setTimeout(r, opts.stepDelayMs ?? 0));

  const threeSteps = inngest.createFunction({ id: "test-three-steps", triggers: [{ event: "test/three" }], retries: 2 }, async ({ step, runId, event }) => {
    const a = await step.run("one", async () => (await ran(runId, "one"), await pause(), 1));
    await step.sleep("nap", "1s");
    const b = await step.run("two", async () => (await ran(runId, "two"), await pause(), 2));
    const c = await step.run("three", async () => (await ran(runId, "three"), await pause(), 3));
    return { sum: a + b + c, n: (event.data as { n?: number }).n ?? null };
  });

  const flaky = inngest.createFunction({ id: "test-flaky", triggers: [{ event: "test/flaky" }], retries: 3 }, async ({ step, runId }) => {
    return step.run("flaky", async () => {
      const n = await ran(runId, "flaky");
      if (n <= 2) throw new Error(`flaky failure ${n}`);
      return `ok after ${n}`;
    });
  });

  const doomed = inngest.createFunction(
    {
      id: "test-doomed",
      triggers: [{ event: "test/doomed" }],
      retries: 2,
      onFailure: async ({ event, error }) => {
        const data = event.data as { run_id: string; function_id: string };
        await sql`insert into test_failures (run_id, function_id, message) values (${data.run_id}, ${data.function_id}, ${error.message})`;
      },
    },
    async ({ step, runId }) => {
      await step.run("always", async () => {
        const n = await ran(runId, "always");
        throw new Error(`always fails (${n})`);
      });
    },
  );

  const nonRetriable = inngest.createFunction({ id: "test-non-retriable", triggers: [{ event: "test/nonretriable" }], retries: 5 }, async ({ step, runId }) => {
    await step.run("refuse", async () => {
      await ran(runId, "refuse");
      throw new NonRetriableError("this cannot work");
    });
  });

  const fanA = inngest.createFunction({ id: "test-fan-a", triggers: [{ event: "test/fan" }] }, async ({ step, runId }) => {
    return step.run("a", async () => (await ran(runId, "a"), "a"));
  });
  const fanB = inngest.createFunction({ id: "test-fan-b", triggers: [{ event: "test/fan" }] }, async ({ step, runId }) => {
    return step.run("b", async () => (await ran(runId, "b"), "b"));
  });

  const parallel = inngest.createFunction({ id: "test-parallel", triggers: [{ event: "test/parallel" }] }, async ({ step, runId }) => {
    const parts = await Promise.all(["x", "y", "z"].map((s) => step.run(s, async () => (await ran(runId, s), s))));
    await step.sendEvent("announce", { name: "test/fan", data: { from: runId } });
    return parts.join("");
  });

  const waits = inngest.createFunction({ id: "test-waits", triggers: [{ event: "test/wait" }] }, async ({ step }) => {
    await step.waitForEvent("approval", { event: "test/approved", timeout: "1h" });
  });

  const oneStep = inngest.createFunction({ id: "test-one-step", triggers: [{ event: "test/one" }] }, async ({ step, runId }) => {
    return step.run("only", async () => (await ran(runId, "only"), await pause(), "done"));
  });

  return { threeSteps, flaky, doomed, nonRetriable, fanA, fanB, parallel, waits, oneStep };
}
