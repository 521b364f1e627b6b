/**
 * The one place this process keeps anything on `globalThis`. Everything else the app works with
 * is in the `Services` built at boot (src/server/boot/services.ts) and handed down through the
 * REST and tRPC contexts and the Inngest middleware; a test builds its own.
 *
 * Why anything stays global at all: the boot script (tsx) and Next.js's bundle load separate
 * copies of our modules in the same process, and `next dev` reloads the bundle's copy on every
 * edit. A module-level variable would exist once per copy (two pools, a second Redis connection
 * after each reload, the health route not seeing the worker the boot started). What must be one
 * per process is kept here, under a name that says what it is:
 *
 * - `database`, `statement-database`, `jobs-database`: one PostgreSQL pool each per process (the
 *   app's; the small one statement downloads stream from; the one the executor runs on when it
 *   runs in a web process), surviving hot reloads.
 * - `services`: the process's `Services`, built by the boot and read by the route handlers of
 *   Next's bundle (the same object, so one request log, one set of token leases, one vendor client).
 * - `rate-limit-redis`: the one Redis connection of the rate limiter, which the boot's shutdown closes.
 * - `embedded-workers`: how many embedded workers the boot started, for the health route.
 * - `statement-download-slots`: per-partner download slots, shared by the API's and the dashboard's
 *   downloads (one set per process, whatever copy of the module takes a slot).
 *
 * A unit test (tests/unit/process-singletons.test.ts) fails when `globalThis` is used anywhere else in src/.
 */
type SingletonName = "database" | "statement-database" | "jobs-database" | "services" | "rate-limit-redis" | "embedded-workers" | "statement-download-slots";

const HOME = Symbol.for("steller.process-singletons");
const home = (): Map<SingletonName, unknown> => {
  const g = globalThis as unknown as { [HOME]?: Map<SingletonName, unknown> };
  return (g[HOME] ??= new Map());
};

/** This process's `name`, made by `create` on first use. */
export function processSingleton<T>(name: SingletonName, create: () => T): T {
  const slots = home();
  if (!slots.has(name)) slots.set(name, create());
  return slots.get(name) as T;
}

/** This process's `name` if it was made, else undefined. */
export function peekProcessSingleton<T>(name: SingletonName): T | undefined {
  return home().get(name) as T | undefined;
}

/** Sets (or with undefined, forgets) this process's `name`; returns what it was. For the boot, shutdown and tests. */
export function replaceProcessSingleton<T>(name: SingletonName, value: T | undefined): T | undefined {
  const slots = home();
  const before = slots.get(name) as T | undefined;
  if (value === undefined) slots.delete(name);
  else slots.set(name, value);
  return before;
}
