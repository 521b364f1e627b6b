import postgres from "postgres";

/**
 * Answers that mean "not yet": the server is starting, restarting, shutting down or failing over,
 * or nothing listens yet. Anything else (a wrong password, a database that does not exist) is a
 * configuration error, reported at once.
 */
const NOT_YET = new Set([
  "57P03", // the database system is starting up / shutting down / in recovery mode
  "57P01", // terminating connection due to administrator command
  "57P02", // crash shutdown
  "53300", // too many connections
  "08000",
  "08001",
  "08004",
  "08006",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
]);

export class DatabaseWaitError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = "DatabaseWaitError";
  }
}

/** `host:port/database` of a postgres URL, without credentials. */
function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "the configured database";
  }
}

function reason(error: unknown): { code: string; text: string } {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown[] };
  // Node's AggregateError (IPv4 and IPv6 both refused) carries the codes on its parts.
  const code = typeof e?.code === "string" ? e.code : String((e?.errors?.[0] as { code?: unknown } | undefined)?.code ?? "");
  return { code, text: typeof e?.message === "string" && e.message ? e.message : code || String(error) };
}

/**
 * Waits until `url` accepts a connection and answers `select 1`, for at most `timeoutMs`. A server
 * that is starting up, shutting down or not listening yet is retried (every `intervalMs`, with a
 * line in the log each time the reason changes); a configuration error (authentication, unknown
 * database) and the end of the wait throw a DatabaseWaitError saying what happened.
 */
export async function waitForDatabase(
  url: string,
  opts: { timeoutMs: number; intervalMs?: number; log?: (line: string) => void },
): Promise<{ waitedMs: number; attempts: number }> {
  const started = performance.now();
  const deadline = started + opts.timeoutMs;
  const where = describeDatabase(url);
  let last = "";
  for (let attempts = 1; ; attempts++) {
    const remaining = deadline - performance.now();
    const sql = postgres(url, {
      max: 1,
      onnotice: () => {},
      fetch_types: false,
      connect_timeout: Math.max(1, Math.min(10, Math.ceil(remaining / 1000))),
      connection: { application_name: "steller-startup" },
    });
    try {
      await sql`select 1`;
      if (last) opts.log?.(`PostgreSQL at ${where} is up (after ${Math.round(performance.now() - started)} ms)`);
      return { waitedMs: Math.round(performance.now() - started), attempts };
    } catch (error) {
      const r = reason(error);
      if (!NOT_YET.has(r.code)) {
        throw new DatabaseWaitError(`PostgreSQL at ${where} refused the connection: ${r.text}${r.code ? ` (${r.code})` : ""}`, error);
      }
      if (performance.now() + (opts.intervalMs ?? 500) > deadline) {
        throw new DatabaseWaitError(
          `PostgreSQL at ${where} was not ready within ${Math.round(opts.timeoutMs / 1000)} s (DATABASE_STARTUP_WAIT_MS); last answer: ${r.text}${r.code ? ` (${r.code})` : ""}`,
          error,
        );
      }
      if (r.text !== last) opts.log?.(`Waiting for PostgreSQL at ${where}: ${r.text}${r.code ? ` (${r.code})` : ""}`);
      last = r.text;
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 500));
  }
}
