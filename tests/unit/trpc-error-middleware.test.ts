import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DomainError } from "@/lib/errors";
import type { Db } from "@/server/db/client";
import { publicProcedure, router } from "@/server/trpc/init";

// The error middleware and formatter of src/server/trpc/init.ts on procedures that throw what real
// ones may: a DomainError, an error of a database that is restarting, an unexpected error.
const testRouter = router({
  taken: publicProcedure.mutation(() => {
    throw new DomainError("email_taken", "An account with this email already exists", { param: "email" });
  }),
  restarting: publicProcedure.mutation(() => {
    throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
  }),
  broken: publicProcedure.mutation(() => {
    throw new Error('relation "secret_table" does not exist at 10.0.0.7');
  }),
});

async function errorOf(path: string) {
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(superjson.serialize({})),
    }),
    router: testRouter,
    createContext: () => ({ db: {} as Db, user: null, headers: new Headers() }),
  });
  const body = (await res.json()) as { error: Parameters<typeof superjson.deserialize>[0] };
  return {
    status: res.status,
    ...superjson.deserialize<{ message: string; data: { code: string; errorCode: string | null; fieldErrors: Record<string, string[]> } }>(body.error),
  };
}

afterEach(() => vi.unstubAllEnvs());

describe("tRPC error middleware", () => {
  it("maps a DomainError by its kind, with its code and field", async () => {
    const e = await errorOf("taken");
    expect([e.status, e.data.code, e.data.errorCode, e.data.fieldErrors]).toEqual([
      409,
      "CONFLICT",
      "email_taken",
      { email: ["An account with this email already exists"] },
    ]);
  });

  it("answers SERVICE_UNAVAILABLE when the database is restarting", async () => {
    const e = await errorOf("restarting");
    expect([e.status, e.data.code, e.data.errorCode]).toEqual([503, "SERVICE_UNAVAILABLE", null]);
  });

  it("never sends an unexpected error's message in production", async () => {
    vi.stubEnv("NODE_ENV", "production");
    const e = await errorOf("broken");
    expect([e.status, e.data.code]).toEqual([500, "INTERNAL_SERVER_ERROR"]);
    expect(e.message).not.toMatch(/secret_table|10\.0\.0\.7/);
  });
});
