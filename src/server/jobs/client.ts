import { Inngest, Middleware } from "inngest";
import { inngestMode, loadEnv } from "@/lib/env";

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

type EventSink = (events: { name: string; data?: unknown; id?: string; ts?: number }[]) => Promise<string[]>;
let embeddedSink: EventSink | undefined;

/** Where `inngest.send` and `step.sendEvent` go in embedded mode (set by ./outbox). */
export function setEmbeddedEventSink(sink: EventSink): void {
  embeddedSink = sink;
}

/**
 * In embedded mode there is no Inngest server to send to: events sent with the SDK
 * (`inngest.send`, `step.sendEvent`) are written to the outbox instead.
 */
class EmbeddedOutboxMiddleware extends Middleware.BaseMiddleware {
  readonly id = "steller-embedded-outbox";
  override async wrapSendEvent(args: Middleware.WrapSendEventArgs) {
    if (jobsMode() === "server") return args.next();
    const sink = embeddedSink ?? (await import("@/server/outbox")).processOutboxSink;
    const ids = await sink(args.events as never);
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
 * one). On globalThis: Next's bundle and the boot script load separate copies of this module.
 */
export function stepStartHooks(): Map<string, StepStartHook> {
  const g = globalThis as unknown as { __stellerStepStartHooks?: Map<string, StepStartHook> };
  return (g.__stellerStepStartHooks ??= new Map());
}

/** The one Inngest client. Typed events are in ./events, functions in ./functions. */
export const inngest = new Inngest({
  id: "steller",
  // Embedded mode drives the serve handler itself, unsigned, like a dev server would.
  ...(jobsMode() === "embedded" ? { isDev: true } : {}),
  middleware: [EmbeddedOutboxMiddleware],
});
