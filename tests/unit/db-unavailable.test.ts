import { describe, expect, it } from "vitest";
import { DatabaseBusyError, isDatabaseUnavailable } from "@/server/db/client";
import { toApiError } from "@/server/rest/errors";

/** drizzle wraps a driver error as `Failed query: …` with the driver's error as `cause`. */
const wrapped = (cause: unknown) => Object.assign(new Error("Failed query: select 1"), { cause });

describe("a query that timed out or found the database away is a 503, never a 500 or a hang", () => {
  it("recognises pool timeouts, statement timeouts, restarts and lost connections, also wrapped", () => {
    for (const e of [
      new DatabaseBusyError(10_000, 10),
      wrapped(new DatabaseBusyError(10_000, 10)),
      wrapped(Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" })),
      wrapped(Object.assign(new Error("the database system is starting up"), { code: "57P03" })),
      Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }),
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    ]) {
      expect(isDatabaseUnavailable(e)).toBe(true);
      const api = toApiError(e);
      expect(api.status).toBe(503);
      expect(api.headers).toEqual({ "Retry-After": "1" });
    }
  });

  it("leaves real faults as they are", () => {
    for (const e of [new Error("boom"), wrapped(Object.assign(new Error("syntax error"), { code: "42601" })), null, "text"]) {
      expect(isDatabaseUnavailable(e)).toBe(false);
    }
    expect(toApiError(new Error("boom")).status).toBe(500);
  });
});
