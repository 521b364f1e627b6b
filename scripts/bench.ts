/**
 * `npm run bench`: the partner API under load against the production build, with a trivial
 * route and a direct-database ceiling measured in the same run. See docs/bench.md.
 *
 * Build (NEXT_DIST_DIR=.next-bench) → server with request logging on (fresh embedded PostgreSQL
 * on 55460, port 3310) → data → HTTP scenarios → createOrder() ceiling → a second server with
 * request logging off beside the first (port 3311, same database) → on/off in alternating slices
 * → table, CPU shares, PASS/MISS per target, bench-results/latest.json.
 * Exits non-zero only when the benchmark could not run.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeBenchPartners, type BenchPartner } from "./bench/data";
import { runDirect, runHttp, runInterleaved, type HttpScenario, type LoadShape, type Measurement } from "./bench/load";
import { cpuWindow } from "./bench/cpu";
import { formatCpu, formatTable, formatTargets, type Row, type Target } from "./bench/report";
import { logShare, measureLogEntryCost, type LogEntryCost } from "./bench/requestlog";
import { buildApp, startServer, waitForCatalog, type BenchServer } from "./bench/server";

const intFromEnv = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`);
  return v;
};

const SHAPE: LoadShape = {
  connections: intFromEnv("BENCH_CONNECTIONS", 32),
  warmupSeconds: intFromEnv("BENCH_WARMUP", 2),
  seconds: intFromEnv("BENCH_SECONDS", 8),
};
const PARTNERS = intFromEnv("BENCH_PARTNERS", 200);
/** Request log on/off: ROUNDS alternating slices of SLICE_SECONDS on each server. */
const ROUNDS = intFromEnv("BENCH_ROUNDS", 3);
const SLICE_SECONDS = intFromEnv("BENCH_SLICE_SECONDS", 3);
/** The ceiling uses the same pool size as the server (DATABASE_POOL_SIZE, default 10). */
const CEILING_POOL = intFromEnv("BENCH_CEILING_POOL", intFromEnv("DATABASE_POOL_SIZE", 10));
const PORT = 3310;
const PG_PORT = 55460;
const DATA_DIR = path.resolve(".data/bench");
const RESULTS_DIR = path.resolve("bench-results");
/** The mock vendor's ranged USD test product (1–1000 USD): orderable by every sandbox partner. */
const SKU = "BAM-990001";
const FACE_VALUE = "1.00";

const log = (msg: string) => console.log(`[bench] ${msg}`);
const runTag = Date.now().toString(36);
let sequence = 0;

/** The server started first (it owns the embedded PostgreSQL) and the log-off one beside it. */
let current: BenchServer | null = null;
let extra: BenchServer | null = null;
async function stopCurrent() {
  // The second server first: PostgreSQL stops with the first one.
  for (const s of [extra, current]) {
    if (!s) continue;
    log(`stopping the server on ${s.url} (SIGINT)…`);
    await s.stop();
  }
  extra = null;
  current = null;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n[bench] ${signal}: cleaning up`);
    void stopCurrent().finally(() => process.exit(130));
  });
}

function orderScenario(name: string, url: string, keys: BenchPartner[]): HttpScenario {
  let i = 0;
  return {
    name,
    url: `${url}/api/v1/orders`,
    method: "POST",
    headers: { "content-type": "application/json" },
    next: () => {
      const k = keys[i++ % keys.length]!;
      return {
        headers: { "x-api-key": k.secret },
        body: JSON.stringify({ sku: SKU, faceValue: FACE_VALUE, quantity: 1, referenceId: `bench-${runTag}-${++sequence}` }),
      };
    },
  };
}

/** One request of each kind before loading, so a broken route fails loudly instead of measuring errors. */
async function smokeTest(url: string, key: BenchPartner) {
  const catalog = await fetch(`${url}/api/v1/catalog?limit=20`, { headers: { "x-api-key": key.secret } });
  if (catalog.status !== 200) throw new Error(`GET /api/v1/catalog answered ${catalog.status}: ${await catalog.text()}`);
  const order = await fetch(`${url}/api/v1/orders`, {
    method: "POST",
    headers: { "x-api-key": key.secret, "content-type": "application/json" },
    body: JSON.stringify({ sku: SKU, faceValue: FACE_VALUE, referenceId: `bench-${runTag}-smoke-${++sequence}` }),
  });
  if (order.status !== 202) throw new Error(`POST /api/v1/orders answered ${order.status}: ${await order.text()}`);
}

function scenarios(server: BenchServer, hot: BenchPartner, many: BenchPartner[], suffix = "") {
  const url = server.url;
  return {
    trivial: { name: `GET /api/health (trivial)${suffix}`, url: `${url}/api/health` } as HttpScenario,
    catalog: { name: `GET /api/v1/catalog?limit=20${suffix}`, url: `${url}/api/v1/catalog?limit=20`, headers: { "x-api-key": hot.secret } } as HttpScenario,
    ordersHot: orderScenario(`POST /api/v1/orders, 1 hot wallet${suffix}`, url, [hot]),
    ordersMany: orderScenario(`POST /api/v1/orders, ${many.length} wallets${suffix}`, url, many),
  };
}

async function main() {
  const t0 = Date.now();
  const loadAverageAtStart = os.loadavg();
  if (process.env.BENCH_SKIP_BUILD) log("BENCH_SKIP_BUILD set: using the existing .next-bench build");
  else {
    log("building (NEXT_DIST_DIR=.next-bench)…");
    buildApp();
  }
  const buildSeconds = (Date.now() - t0) / 1000;

  log("starting the server, request logging on (fresh data)…");
  const serverOn = await startServer({
    port: PORT,
    pgPort: PG_PORT,
    dataDir: DATA_DIR,
    fresh: true,
    requestLog: true,
    logFile: path.join(RESULTS_DIR, "server-log-on.log"),
    onSpawn: (s) => (current = s),
  });
  const products = await waitForCatalog(serverOn.databaseUrl, SKU);
  log(`catalog synced (${products} products)`);

  // Domain modules read DATABASE_URL through env() only when they open the app pool; the bench
  // opens its own, but import them after the URL is known all the same.
  process.env.DATABASE_URL = serverOn.databaseUrl;
  const { createDatabase } = await import("../src/server/db/client");
  const { createOrder } = await import("../src/server/orders/create");
  const database = createDatabase(serverOn.databaseUrl, CEILING_POOL);
  let ceilingHot: Measurement, ceilingMany: Measurement, measured: Measurement[], pairs: [Measurement, Measurement][], logCost: LogEntryCost;
  const meter = () => cpuWindow(() => [current?.pid, extra?.pid].filter((p): p is number => typeof p === "number"));
  let hot: BenchPartner, many: BenchPartner[];
  try {
    log(`preparing 1 + ${PARTNERS} funded sandbox partners with API keys…`);
    [hot] = (await makeBenchPartners(database.db, 1, "100000000.0000", "hot")) as [BenchPartner];
    many = await makeBenchPartners(database.db, PARTNERS, "1000000.0000", "many");
    await smokeTest(serverOn.url, hot);

    const on = scenarios(serverOn, hot, many);
    // Orders made here are fulfilled by the server's embedded worker, slowly (the mock vendor
    // allows 2 placements/s): a standing backlog keeps the worker equally busy in every scenario.
    await runHttp(orderScenario("backlog", serverOn.url, many), { ...SHAPE, warmupSeconds: 0, seconds: Math.min(2, SHAPE.seconds) });
    measured = [];
    for (const sc of [on.trivial, on.catalog, on.ordersHot, on.ordersMany]) {
      log(`${sc.name}: ${SHAPE.warmupSeconds} s warm-up + ${SHAPE.seconds} s at ${SHAPE.connections} connections`);
      measured.push(await runHttp(sc, SHAPE, meter));
    }

    // The same orders paced at half the rate just measured, over the same 32 connections: the
    // latency of an order itself, without the queue a closed loop builds at saturation.
    const pacedRate = Math.max(1, Math.floor(measured[3]!.reqPerSec / 2));
    const paced = orderScenario(`POST /api/v1/orders, ${many.length} wallets, paced at ${pacedRate}/s`, serverOn.url, many);
    log(`${paced.name}: ${SHAPE.warmupSeconds} s warm-up + ${SHAPE.seconds} s over ${SHAPE.connections} connections`);
    measured.push(await runHttp(paced, { ...SHAPE, overallRate: pacedRate }, meter));

    const direct = (keys: BenchPartner[]) => {
      let i = 0;
      return () => {
        const k = keys[i++ % keys.length]!;
        return createOrder(database.db, {
          partnerId: k.partnerId,
          environment: "sandbox",
          sku: SKU,
          faceValue: FACE_VALUE,
          quantity: 1,
          referenceId: `bench-${runTag}-${++sequence}`,
          actor: k.keyId,
          source: "api",
        });
      };
    };
    const ceilingShape = { ...SHAPE, callers: SHAPE.connections };
    log(`ceiling: createOrder() direct, ${ceilingShape.callers} callers, pool ${CEILING_POOL}, 1 hot wallet`);
    ceilingHot = await runDirect("createOrder() direct, 1 hot wallet (ceiling)", direct([hot]), ceilingShape, meter);
    log(`ceiling: createOrder() direct, ${ceilingShape.callers} callers, pool ${CEILING_POOL}, ${many.length} wallets`);
    ceilingMany = await runDirect(`createOrder() direct, ${many.length} wallets (ceiling)`, direct(many), ceilingShape, meter);

    log("request log: the cost of 20,000 entries through the server's writer, measured directly…");
    logCost = await measureLogEntryCost(database.db, meter);

    // Request logging on vs off needs a second server start (STELLER_REQUEST_LOG is read at
    // start). It runs beside the first one, on the same PostgreSQL, and the two are loaded in
    // alternating slices: on this shared machine, back-to-back runs differ by more than 5 %.
    log("starting a second server with STELLER_REQUEST_LOG=off on the same database…");
    const serverOff = await startServer({
      port: PORT + 1,
      pgPort: PG_PORT,
      dataDir: DATA_DIR,
      fresh: false,
      requestLog: false,
      logFile: path.join(RESULTS_DIR, "server-log-off.log"),
      onSpawn: (s) => (extra = s),
    });
    const off = scenarios(serverOff, hot, many, ", request log off");
    const on2 = scenarios(serverOn, hot, many, ", request log on");
    // The first server has served minutes of load (JIT-compiled, pools filled): warm the second alike.
    for (const k of ["trivial", "catalog", "ordersMany"] as const) await runHttp(off[k], { ...SHAPE, warmupSeconds: 0, seconds: 3 });
    const ab = { ...SHAPE, warmupSeconds: Math.min(1, SHAPE.warmupSeconds), seconds: SLICE_SECONDS, rounds: ROUNDS };
    pairs = [];
    for (const k of ["trivial", "catalog", "ordersMany"] as const) {
      log(`on/off: ${on2[k].name.replace(", request log on", "")}: ${ROUNDS} × ${SLICE_SECONDS} s on each server, alternating`);
      pairs.push(await runInterleaved(on2[k], off[k], ab, meter));
    }
  } finally {
    await database.close();
    await stopCurrent();
  }

  // ---- report ----
  const [trivialOn, catalogOn, hotOn, manyOn, pacedOn] = measured as [Measurement, Measurement, Measurement, Measurement, Measurement];
  const [[trivialA, trivialB], [catalogA, catalogB], [manyA, manyB]] = pairs as [[Measurement, Measurement], [Measurement, Measurement], [Measurement, Measurement]];
  const row = (m: Measurement, trivial: Measurement | null, ceiling: Measurement | null): Row => ({
    ...m,
    vsTrivial: trivial && m !== trivial ? m.reqPerSec / trivial.reqPerSec : null,
    vsCeiling: ceiling ? m.reqPerSec / ceiling.reqPerSec : null,
  });
  const rows: Row[] = [
    row(trivialOn, null, null),
    row(catalogOn, trivialOn, null),
    row(hotOn, trivialOn, ceilingHot),
    row(manyOn, trivialOn, ceilingMany),
    row(pacedOn, null, null),
    row(ceilingHot, null, null),
    row(ceilingMany, null, null),
    row(trivialA, null, null),
    row(trivialB, null, null),
    row(catalogA, trivialA, null),
    row(catalogB, trivialB, null),
    row(manyA, trivialA, ceilingMany),
    row(manyB, trivialB, ceilingMany),
  ];
  const abCost = (on: Measurement, off: Measurement) => (off.reqPerSec > 0 ? 1 - on.reqPerSec / off.reqPerSec : Number.NaN);
  const shares = [
    ["catalog", logShare(logCost, catalogOn)],
    [`orders ${many.length} wallets`, logShare(logCost, manyOn)],
  ] as const;
  const worstShare = Math.max(...shares.map(([, c]) => (Number.isNaN(c.worst) ? Infinity : c.worst)));
  const fmt = (x: number) => `${(x * 100).toFixed(1)}%`;
  const targets: Target[] = [
    {
      name: `POST /api/v1/orders, ${many.length} wallets vs the database ceiling`,
      goal: "≥ 40%",
      measured: fmt(manyOn.reqPerSec / ceilingMany.reqPerSec),
      pass: manyOn.reqPerSec / ceilingMany.reqPerSec >= 0.4,
    },
    {
      name: "GET /api/v1/catalog vs the trivial route",
      goal: "≥ 50%",
      measured: fmt(catalogOn.reqPerSec / trivialOn.reqPerSec),
      pass: catalogOn.reqPerSec / trivialOn.reqPerSec >= 0.5,
    },
    {
      name: "throughput cost of request logging",
      goal: "≤ 5% each",
      measured:
        `${shares.map(([n, c]) => `${n} ${fmt(c.worst)} (app-server thread ${fmt(c.server)}, whole machine ${fmt(c.machine)})`).join(", ")}; ` +
        `an entry costs ${logCost.writerMicros.toFixed(0)} µs in the writer and ${logCost.postgresMicros.toFixed(0)} µs in PostgreSQL. ` +
        `Cross-check, two servers A/B (noisy): catalog ${fmt(abCost(catalogA, catalogB))}, orders ${fmt(abCost(manyA, manyB))}, ` +
        `unlogged control ${fmt(abCost(trivialA, trivialB))}`,
      pass: worstShare <= 0.05,
    },
    {
      name: `p99 of POST /api/v1/orders at ${SHAPE.connections} connections`,
      goal: "< 100 ms",
      measured:
        `1 wallet ${hotOn.p99Ms} ms, ${many.length} wallets ${manyOn.p99Ms} ms (connections back to back); ` +
        `for reference: the trivial route's own p99 at ${SHAPE.connections} connections ${trivialOn.p99Ms} ms, ` +
        `orders paced at ${pacedOn.reqPerSec.toFixed(0)}/s over ${SHAPE.connections} connections p50 ${pacedOn.p50Ms} ms, p99 ${pacedOn.p99Ms} ms`,
      pass: hotOn.p99Ms < 100 && manyOn.p99Ms < 100,
    },
  ];

  const table = formatTable(rows);
  console.log(`\n${table}\n\n${formatCpu(rows)}\n\n${formatTargets(targets)}\n`);
  const result = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "?", loadAverageAtStart, loadAverageAtEnd: os.loadavg(), node: process.version },
    requestLogEntryCost: logCost,
    settings: { ...SHAPE, rounds: ROUNDS, sliceSeconds: SLICE_SECONDS, partners: many.length, ceilingPool: CEILING_POOL, sku: SKU, faceValue: FACE_VALUE, port: PORT, pgPort: PG_PORT },
    buildSeconds,
    totalSeconds: (Date.now() - t0) / 1000,
    rows,
    targets,
    table,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  log(`written bench-results/latest.json (whole run ${result.totalSeconds.toFixed(0)} s, build ${buildSeconds.toFixed(0)} s)`);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(`[bench] could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await stopCurrent().catch(() => {});
    process.exit(1);
  },
);
