import { AsyncLocalStorage } from "node:async_hooks";
import { Inngest, Middleware } from "inngest";
import { inngestMode, loadEnv } from "@/lib/env";
import { processServices, type Services } from "@/server/boot/services";
import { enqueueEvents } from "@/server/outbox";

/**
 * Which Inngest mode this process runs in: "server" with Inngest keys or INNGEST_DEV,
 * otherwise "embedded". Reads the environment without requiring the rest of it (tests).
 */
export function jobsMode(): "server" | "embedded" {
  try {
    return inngestMode(loadEnv());
  } catch {
    const e = process.env;
    const dev = e.INNGEST_DEV === "1" || e.INNGEST_DEV === "true";
    return e.INNGEST_SIGNING_KEY || e.INNGEST_EVENT_KEY || dev ? "server" : "embedded";
  }
}

const servicesStore = new AsyncLocalStorage<() => Services>();

/**
 * Runs `work` (a call of the serve handler) with `services` for the functions it executes: the
 * embedded executor wraps each call in it, so a worker a test starts hands the test's services to
 * the functions. Calls from elsewhere (the `/api/inngest` route of an Inngest server) get the
 * process's `processServices()`.
 */
export function withServices<T>(services: () => Services, work: () => T): T {
  return servicesStore.run(services, work);
}

/** The services of the call being executed, else the process's. */
function currentServices(): Services {
  return servicesStore.getStore()?.() ?? processServices();
}

/**
 * Hands the services built at boot (or by a test) to every function: its handler gets
 * `services` beside `event` and `step`. In embedded mode, also the SDK's sends: there is no
 * Inngest server to send to, so `inngest.send` and `step.sendEvent` write to the outbox of the
 * services' database.
 */
class ServicesMiddleware extends Middleware.BaseMiddleware {
  readonly id = "steller-services";

  override transformFunctionInput(arg: Middleware.TransformFunctionInputArgs): Middleware.TransformFunctionInputArgs & { ctx: { services: Services } } {
    // Resolved when the handler reads it (inside the call's context), not before: a function that
    // needs none never builds them (unit tests run functions without a database).
    return {
      ...arg,
      ctx: Object.defineProperty({ ...arg.ctx }, "services", { get: currentServices, enumerable: true }) as typeof arg.ctx & { services: Services },
    };
  }

  override async wrapSendEvent(args: Middleware.WrapSendEventArgs) {
    if (jobsMode() === "server") return args.next();
    const ids = await enqueueEvents(currentServices().db, args.events as never);
    return { ids };
  }

  /** Tells the embedded executor which step a call is executing (its deadline and name). */
  override onStepStart(args: Middleware.OnStepStartArgs) {
    stepStartHooks().get(args.ctx.runId)?.(args.stepInfo.hashedId, args.stepInfo.options.id);
  }
}

type StepStartHook = (hashedId: string, id: string) => void;
/**
 * Per run id: called when the serve handler starts executing one of its steps (not a memoised
 * one). A module variable, not a process singleton: the embedded executor calls the serve handler
 * of its own copy of this client (protocol.ts), so the worker that sets a hook and the middleware
 * that calls it are always the same copy of this module.
 */
const hooks = new Map<string, StepStartHook>();
export function stepStartHooks(): Map<string, StepStartHook> {
  return hooks;
}

/** The one Inngest client. Typed events are in ./events, functions in ./functions. */
export const inngest = new Inngest({
  id: "steller",
  // Embedded mode drives the serve handler itself, unsigned, like a dev server would.
  ...(jobsMode() === "embedded" ? { isDev: true } : {}),
  middleware: [ServicesMiddleware],
});
