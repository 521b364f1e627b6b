/**
 * Server mode (an Inngest server — Cloud or self-hosted — drives the functions), tested at its
 * edges, since no Inngest server can run here: a fake Inngest server started by this file
 * (node:http, speaking the event API `POST /e/{eventKey}` and the sync API `POST /fn/register`
 * exactly as the inngest 4.24 SDK calls them) and the app's own `/api/inngest` route called
 * in-process with requests signed by the SDK's own signing code.
 *
 * The SDK reads its configuration (keys, base URL) when the app's Inngest client is created, so
 * the environment is set first and the app's modules are imported after (dynamic imports).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { waitFor } from "../support/wait";

const SIGNING_KEY = `signkey-test-${"5e".repeat(32)}`;
const OTHER_SIGNING_KEY = `signkey-test-${"a1".repeat(32)}`;
const FALLBACK_SIGNING_KEY = `signkey-test-${"0f".repeat(32)}`;
const EVENT_KEY = "test-event-key-7f3a";
const SERVE_ORIGIN = "https://steller.example.com";

/*
 * The SDK's signing helpers. They are not in the package's `exports` map, so they are loaded by
 * file path (deep import of the SDK's own module, not a reimplementation): `signDataWithKey` is
 * what the serve handler verifies requests with and signs its answers with; `hashSigningKey` is
 * what it authenticates its sync request with.
 */
const sdkDir = path.resolve(import.meta.dirname, "../../node_modules/inngest/helpers");
type Logger = Record<"debug" | "info" | "warn" | "error", (...args: unknown[]) => void>;
let signDataWithKey: (data: unknown, signingKey: string, ts: string, logger: Logger) => Promise<string>;
let hashSigningKey: (signingKey: string) => string;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

// ---------------------------------------------------------------------------------------------
// A fake Inngest server: records what it is sent, and can be down in several ways.

interface SentEvent {
  id: string;
  name: string;
  data: Record<string, unknown>;
  ts: number;
}
/** ok: accepts. error: answers 500 without taking the events. lostAck: takes them, answers 500. hang: never answers. */
type Mode = "ok" | "error" | "lostAck" | "hang";

function fakeInngest() {
  const state = {
    mode: "ok" as Mode,
    received: [] as { eventKey: string; event: SentEvent }[],
    registrations: [] as { url: string; headers: IncomingHttpHeaders; body: RegisterBody }[],
    eventRequests: 0,
  };
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  let server: Server | undefined;
  let port = 0;
  const make = () =>
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const url = new URL(req.url ?? "/", "http://fake");
        if (req.method === "POST" && url.pathname.startsWith("/e/")) {
          state.eventRequests++;
          if (state.mode === "hang") return;
          if (state.mode === "error") return answer(res, 500, { status: 500, error: "fake outage" });
          const events = JSON.parse(text) as SentEvent[];
          const eventKey = decodeURIComponent(url.pathname.slice("/e/".length));
          for (const event of events) state.received.push({ eventKey, event });
          if (state.mode === "lostAck") return answer(res, 500, { status: 500, error: "fake lost acknowledgement" });
          // The SDK requires `status: 200` in the JSON body (an HTTP 200 without it is an error to it) and reads `ids`.
          // Like Inngest: the event's own id, or one made up by the server when it has none (then no deduplication).
          return answer(res, 200, { ids: events.map((e) => e.id ?? `srv-${randomUUID()}`), status: 200 });
        }
        if (req.method === "POST" && url.pathname === "/fn/register") {
          state.registrations.push({ url: req.url ?? "", headers: req.headers, body: JSON.parse(text) as RegisterBody });
          return answer(res, 200, { ok: true, modified: true });
        }
        answer(res, 404, { error: `fake inngest: no route ${req.method} ${url.pathname}` });
      });
    });
  return {
    state,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async start() {
      server = make();
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, "127.0.0.1", () => resolve());
      });
      port = (server.address() as AddressInfo).port;
    },
    /** Stops listening and drops every connection: sends are then refused (ECONNREFUSED). */
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

interface RegisterBody {
  url: string;
  appName: string;
  framework: string;
  functions: {
    id: string;
    name: string;
    triggers: ({ event: string; expression?: string } | { cron: string })[];
    steps: Record<string, { runtime: { type: string; url: string }; retries?: { attempts: number } }>;
    concurrency?: unknown;
    throttle?: unknown;
  }[];
}

// ---------------------------------------------------------------------------------------------

const fake = fakeInngest();
let t: TestDatabase;
const saved: Record<string, string | undefined> = {};
let jobs: typeof import("@/server/jobs/index");
let outbox: typeof import("@/server/outbox") & typeof import("@/server/jobs/relay");
let route: typeof import("@/app/api/inngest/route");
let appFunctions: typeof import("@/server/jobs/functions/index").functions;

beforeAll(async () => {
  await fake.start();
  t = await createTestDatabase();
  bindAppDatabase(t);
  const setEnv: Record<string, string> = {
    INNGEST_SIGNING_KEY: SIGNING_KEY,
    INNGEST_SIGNING_KEY_FALLBACK: FALLBACK_SIGNING_KEY,
    INNGEST_EVENT_KEY: EVENT_KEY,
    INNGEST_BASE_URL: fake.url,
    INNGEST_SERVE_ORIGIN: SERVE_ORIGIN,
  };
  for (const [k, v] of Object.entries(setEnv)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  for (const k of ["INNGEST_DEV", "INNGEST_EVENT_API_BASE_URL", "INNGEST_API_BASE_URL", "INNGEST_SERVE_PATH"]) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  ({ signDataWithKey } = (await import(pathToFileURL(path.join(sdkDir, "net.js")).href)) as { signDataWithKey: typeof signDataWithKey });
  ({ hashSigningKey } = (await import(pathToFileURL(path.join(sdkDir, "strings.js")).href)) as { hashSigningKey: typeof hashSigningKey });
  jobs = await import("@/server/jobs/index");
  outbox = { ...(await import("@/server/outbox")), ...(await import("@/server/jobs/relay")) };
  route = await import("@/app/api/inngest/route");
  appFunctions = (await import("@/server/jobs/functions/index")).functions;
});

afterAll(async () => {
  await fake.stop();
  await t?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

async function outboxRows() {
  return t.sql<{ id: string; key: string | null; name: string; data: Record<string, unknown>; ts: string; status: string }[]>`
    select id, key, name, data, ts, status from job_events order by seq`;
}
async function pendingCount() {
  const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from job_events where status = 'pending'`;
  return row!.n;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every outbox row arrived, under its event id, with its payload; copies of one id are identical. */
async function expectAllDelivered(opts: { exactlyOnce: boolean }) {
  const rows = await outboxRows();
  expect(rows.every((r) => r.status === "dispatched")).toBe(true);
  const byId = new Map<string, SentEvent[]>();
  for (const { eventKey, event } of fake.state.received) {
    expect(eventKey).toBe(EVENT_KEY);
    byId.set(event.id, [...(byId.get(event.id) ?? []), event]);
  }
  // The event id is the row's idempotency key when it has one (unique in the outbox, and the
  // `event.id` the embedded executor gives functions), otherwise the outbox id.
  const expected = new Map(rows.map((r) => [r.key ?? r.id, { id: r.key ?? r.id, name: r.name, data: r.data, ts: Number(r.ts) }]));
  expect([...byId.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, copies] of byId) {
    for (const c of copies) expect({ id: c.id, name: c.name, data: c.data, ts: c.ts }).toEqual(expected.get(id));
    if (opts.exactlyOnce) expect(copies.length, `copies of ${id}`).toBe(1);
  }
  return byId;
}

describe("outbox relay to an Inngest event API", () => {
  it("sends each outbox event to POST {INNGEST_BASE_URL}/e/{INNGEST_EVENT_KEY} with its payload, its id as event id, and marks it sent", async () => {
    await t.sql`delete from job_events`;
    fake.state.received.length = 0;
    fake.state.mode = "ok";
    const ids = await outbox.enqueueEvents(t.db, [
      { name: "test/relay.plain", data: { n: 1, amount: "10.50" } },
      { name: "test/relay.keyed", data: { nested: { list: [1, "two"] } }, id: "idem-relay-1" },
      { name: "order/created", data: { orderId: "ord_relay_1" }, id: "order-created:ord_relay_1" },
    ]);
    expect(ids).toHaveLength(3);
    const started = await jobs.startJobs({ db: t.db });
    try {
      expect(started.mode).toBe("server");
      await waitFor("the outbox to drain", async () => (await pendingCount()) === 0);
    } finally {
      await started.stop();
    }
    const byId = await expectAllDelivered({ exactlyOnce: true });
    expect(byId.get(ids[0]!)![0]).toMatchObject({ name: "test/relay.plain", data: { n: 1, amount: "10.50" } });
    expect(ids[0]).toMatch(/^evt_/);
    expect(byId.get("idem-relay-1")![0]!.name).toBe("test/relay.keyed");
    // Enqueued again with the same key: dropped by the outbox, nothing new to send.
    await outbox.enqueueEvents(t.db, [{ name: "test/relay.keyed", data: {}, id: "idem-relay-1" }]);
    expect(await pendingCount()).toBe(0);
  });

  it("loses nothing while the event API fails, refuses connections or loses its answers, and drains when it recovers", async () => {
    await t.sql`delete from job_events`;
    fake.state.received.length = 0;
    fake.state.mode = "error";
    const enqueue = (phase: string) =>
      outbox.enqueueEvents(
        t.db,
        Array.from({ length: 10 }, (_, i) => ({ name: `test/outage.${phase}`, data: { phase, i }, ...(i % 2 ? { id: `outage-${phase}-${i}` } : {}) })),
      );
    const errors: unknown[] = [];
    const relay = outbox.startOutboxRelay({ db: t.db, send: (e) => jobs.inngest.send(e), pollMs: 100, onError: (e) => errors.push(e) });
    try {
      // 1. The event API answers 500: nothing is marked sent.
      await enqueue("error");
      const before = fake.state.eventRequests;
      // More requests than the SDK's 5 attempts of one send: the relay itself has tried again.
      await waitFor("the relay to retry the failing API", async () => fake.state.eventRequests - before >= 6 || (await pendingCount()) < 10);
      expect(await pendingCount()).toBe(10);
      expect(errors.length).toBeGreaterThan(0);

      // 2. Nothing listens (connection refused).
      await fake.stop();
      await enqueue("refused");
      const failures = errors.length;
      await waitFor("the relay to fail on a refused connection", async () => errors.length > failures, 20_000);
      expect(await pendingCount()).toBe(20);

      // 3. Back, but every answer is lost after the events were taken: the relay must resend, with the same ids.
      fake.state.mode = "lostAck";
      await fake.start();
      await enqueue("lostack");
      await waitFor(
        "every event to reach the API at least once, some twice",
        async () => {
          const ids = new Set(fake.state.received.map((r) => r.event.id));
          return ids.size === 30 && fake.state.received.length > 30;
        },
        20_000,
      );
      expect(await pendingCount()).toBe(30);

      // 4. Recovered: everything drains.
      fake.state.mode = "ok";
      await enqueue("ok");
      await waitFor("the outbox to drain", async () => (await pendingCount()) === 0, 20_000);
    } finally {
      fake.state.mode = "ok";
      await relay.stop();
    }
    expect(await outboxRows()).toHaveLength(40);
    const byId = await expectAllDelivered({ exactlyOnce: false });
    expect([...byId.values()].some((copies) => copies.length > 1)).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("does not stall behind an event API that accepts a connection and never answers", async () => {
    await t.sql`delete from job_events`;
    fake.state.received.length = 0;
    fake.state.mode = "hang";
    const errors: unknown[] = [];
    const relay = outbox.startOutboxRelay({ db: t.db, send: (e) => jobs.inngest.send(e), pollMs: 100, sendTimeoutMs: 500, onError: (e) => errors.push(e) });
    try {
      await outbox.enqueueEvents(
        t.db,
        Array.from({ length: 5 }, (_, i) => ({ name: "test/hang", data: { i } })),
      );
      const before = fake.state.eventRequests;
      await waitFor("the relay to reach the hanging API", async () => fake.state.eventRequests > before);
      await sleep(1_000);
      expect(await pendingCount()).toBe(5);
      fake.state.mode = "ok";
      await waitFor("the outbox to drain after the API answers again", async () => (await pendingCount()) === 0, 10_000);
    } finally {
      fake.state.mode = "ok";
      await relay.stop();
    }
    await expectAllDelivered({ exactlyOnce: false });
    expect(String(errors[0])).toMatch(/did not answer within 500 ms/);
  });

  it("two relays (two app instances) send each event exactly once", async () => {
    await t.sql`delete from job_events`;
    fake.state.received.length = 0;
    fake.state.mode = "ok";
    await outbox.enqueueEvents(
      t.db,
      Array.from({ length: 300 }, (_, i) => ({ name: "test/pair", data: { i } })),
    );
    const a = outbox.startOutboxRelay({ db: t.db, send: (e) => jobs.inngest.send(e), pollMs: 20, batchSize: 25 });
    const b = outbox.startOutboxRelay({ db: t.db, send: (e) => jobs.inngest.send(e), pollMs: 20, batchSize: 25 });
    try {
      await waitFor("the outbox to drain", async () => (await pendingCount()) === 0, 20_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    await expectAllDelivered({ exactlyOnce: true });
  });
});

// ---------------------------------------------------------------------------------------------

const SERVE_URL = "http://10.0.0.7:3000/api/inngest";

/** A request as an Inngest server sends one to run a function (execution protocol v2). */
function runRequestBody(opts: { runId: string; steps?: Record<string, unknown>; stack?: string[] }) {
  const event = { name: "inngest/scheduled.timer", data: { cron: "TZ=UTC 15 * * * *" }, id: `tick-${opts.runId}`, ts: Date.now() };
  return {
    version: 2,
    event,
    events: [event],
    steps: opts.steps ?? {},
    ctx: {
      run_id: opts.runId,
      attempt: 0,
      max_attempts: 3,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack: opts.stack ?? [], current: opts.stack?.length ?? 0 },
    },
  };
}

async function postRun(body: unknown, signature?: string) {
  const url = `${SERVE_URL}?fnId=steller-ledger-consistency&stepId=step`;
  const headers: Record<string, string> = { "content-type": "application/json", host: "10.0.0.7:3000" };
  if (signature !== undefined) headers["x-inngest-signature"] = signature;
  const res = await route.POST(new Request(url, { method: "POST", headers, body: JSON.stringify(body) }) as never, undefined);
  return { status: res.status, text: await res.text(), signature: res.headers.get("x-inngest-signature") };
}

async function sign(body: unknown, key: string, at = Math.round(Date.now() / 1000)) {
  const ts = String(at);
  return `t=${ts}&s=${await signDataWithKey(body, key, ts, quiet)}`;
}

async function checksCount() {
  const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from consistency_checks`;
  return row!.n;
}

describe("/api/inngest with a signing key", () => {
  it("refuses unsigned and wrongly signed requests without running anything", async () => {
    const body = runRequestBody({ runId: "01JRUNREFUSED00000000000000" });
    const attempts: [string, string | undefined][] = [
      ["unsigned", undefined],
      ["garbage header", "not-a-signature"],
      ["another key", await sign(body, OTHER_SIGNING_KEY)],
      ["another body", await sign({ ...body, steps: { x: { type: "data", data: 1 } } }, SIGNING_KEY)],
      ["expired (10 min old)", await sign(body, SIGNING_KEY, Math.round(Date.now() / 1000) - 600)],
    ];
    for (const [what, signature] of attempts) {
      const res = await postRun(body, signature);
      expect(res.status, what).toBe(401);
      expect(res.signature, what).toBeNull();
    }
    expect(await checksCount()).toBe(0);
  });

  it("runs a request signed as the SDK signs, and signs its answer", async () => {
    const runId = "01JRUNSIGNED000000000000000";
    const first = runRequestBody({ runId });
    const res = await postRun(first, await sign(first, SIGNING_KEY));
    expect(res.status, res.text).toBe(206);
    const ops = JSON.parse(res.text) as { id: string; op: string; data?: { id: string; ok: boolean } }[];
    expect(ops).toHaveLength(1);
    expect(ops[0]!.op).toBe("StepRun");
    expect(ops[0]!.data).toMatchObject({ ok: true, driftAccounts: 0 });
    expect(await checksCount()).toBe(1);
    // The answer carries a signature of its body with the same key, as the server verifies.
    const params = new URLSearchParams(res.signature ?? "");
    expect(params.get("s")).toBe(await signDataWithKey(res.text, SIGNING_KEY, params.get("t")!, quiet));

    // The server calls again with the step's result memoised: the function finishes, the step is not run again.
    const stepId = ops[0]!.id;
    const second = runRequestBody({ runId, steps: { [stepId]: { type: "data", data: ops[0]!.data } }, stack: [stepId] });
    const done = await postRun(second, await sign(second, SIGNING_KEY));
    expect(done.status, done.text).toBe(200);
    expect(JSON.parse(done.text)).toEqual(ops[0]!.data);
    expect(await checksCount()).toBe(1);
  });

  it("accepts a request signed with INNGEST_SIGNING_KEY_FALLBACK (key rotation)", async () => {
    const before = await checksCount();
    const body = runRequestBody({ runId: "01JRUNFALLBACK0000000000000" });
    const res = await postRun(body, await sign(body, FALLBACK_SIGNING_KEY));
    expect(res.status, res.text).toBe(206);
    expect(await checksCount()).toBe(before + 1);
  });
});

/** Every function of the app's list is in `functions`, with its triggers, step URL, retries and flow control. */
function expectEveryFunction(functions: RegisterBody["functions"]) {
  const registered = new Map(functions.map((f) => [f.id, f]));
  expect(functions).toHaveLength(appFunctions.length);
  for (const fn of appFunctions) {
    const opts = fn.opts as {
      id: string;
      retries?: number;
      concurrency?: unknown;
      throttle?: unknown;
      triggers?: ({ cron: string } | { event: string | { name: string }; if?: string })[];
    };
    const id = `steller-${opts.id}`;
    const got = registered.get(id);
    expect(got, `function ${id} registered`).toBeDefined();
    const expectedTriggers = (opts.triggers ?? []).map((tr) =>
      "cron" in tr ? { cron: tr.cron } : { event: typeof tr.event === "string" ? tr.event : tr.event.name, ...(tr.if ? { expression: tr.if } : {}) },
    );
    expect(got!.triggers, `triggers of ${id}`).toEqual(expectedTriggers);
    expect(got!.steps.step!.runtime).toEqual({ type: "http", url: `${SERVE_ORIGIN}/api/inngest?fnId=${id}&stepId=step` });
    if (opts.retries !== undefined) expect(got!.steps.step!.retries).toEqual({ attempts: opts.retries });
    if (opts.concurrency !== undefined) expect(got!.concurrency, `concurrency of ${id}`).toEqual(opts.concurrency);
    if (opts.throttle !== undefined) expect(got!.throttle, `throttle of ${id}`).toEqual(opts.throttle);
  }
}

describe("sync (registration) with the Inngest server", () => {
  it("a PUT to /api/inngest registers every function and its triggers at {INNGEST_BASE_URL}/fn/register", async () => {
    fake.state.registrations.length = 0;
    const res = await route.PUT(new Request(SERVE_URL, { method: "PUT", headers: { host: "10.0.0.7:3000" } }) as never, undefined);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(fake.state.registrations).toHaveLength(1);
    const reg = fake.state.registrations[0]!;
    // Authenticated with the SDK's hash of the signing key, never the key itself.
    expect(reg.headers.authorization).toBe(`Bearer ${hashSigningKey(SIGNING_KEY)}`);
    expect(reg.headers.authorization).not.toContain(SIGNING_KEY.slice("signkey-test-".length));
    expect(reg.body.appName).toBe("steller");
    // The URL the server will call: the public origin (INNGEST_SERVE_ORIGIN), not the internal address the sync came in on.
    expect(reg.body.url).toBe(`${SERVE_ORIGIN}/api/inngest`);

    expectEveryFunction(reg.body.functions);
  });

  it("an in-band sync (Inngest Cloud's signed PUT) is answered with every function, and refused unsigned", async () => {
    fake.state.registrations.length = 0;
    const body = { url: `${SERVE_ORIGIN}/api/inngest` };
    const put = async (signature?: string) => {
      const headers: Record<string, string> = { "content-type": "application/json", host: "10.0.0.7:3000", "x-inngest-sync-kind": "in_band" };
      if (signature) headers["x-inngest-signature"] = signature;
      return route.PUT(new Request(SERVE_URL, { method: "PUT", headers, body: JSON.stringify(body) }) as never, undefined);
    };
    const refused = await put();
    expect(refused.status).toBe(401);
    expect((await put(await sign(body, OTHER_SIGNING_KEY))).status).toBe(401);

    const res = await put(await sign(body, SIGNING_KEY));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get("x-inngest-sync-kind")).toBe("in_band");
    const params = new URLSearchParams(res.headers.get("x-inngest-signature") ?? "");
    expect(params.get("s")).toBe(await signDataWithKey(text, SIGNING_KEY, params.get("t")!, quiet));
    const answer = JSON.parse(text) as { app_id: string; url: string; functions: RegisterBody["functions"] };
    expect(answer.app_id).toBe("steller");
    expect(answer.url).toBe(`${SERVE_ORIGIN}/api/inngest`);
    expectEveryFunction(answer.functions);
    // In-band: nothing is sent to the server's register endpoint.
    expect(fake.state.registrations).toHaveLength(0);
  });
});
