import fs from "node:fs";
import path from "node:path";
import { ZodError, z } from "zod";
import { describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES, ERROR_KINDS, type ErrorCode } from "@/lib/errors";
import { InvalidAmountError, InvalidCurrencyError } from "@/lib/money";
import { PasswordChangeError } from "@/server/auth/sessions";
import { KeyError } from "@/server/keys";
import * as ledgerErrors from "@/server/ledger/errors";
import { OrderError } from "@/server/orders/errors";
import { SignupError } from "@/server/partners/signup";
import { ApiError, ERROR_REFERENCE, HTTP_BY_KIND, httpErrorOf, toApiError } from "@/server/rest/errors";
import { TRPC_CODE_BY_KIND } from "@/server/trpc/init";
import { WebhookError } from "@/server/webhooks/types";

/**
 * Errors thrown on purpose that are not DomainErrors, and why. Each is caught and turned into a
 * DomainError (or an order failure) by its caller, or never reaches a partner or a form.
 */
const INTERNAL_ERRORS: Record<string, string> = {
  ApiError: "the REST envelope itself (rest/errors.ts), built from a DomainError's code by toApiError",
  EnvError: "invalid configuration at boot",
  DatabaseBusyError: "the pool is saturated: isDatabaseUnavailable → service_unavailable",
  ConnectionLostError: "the database went away: isDatabaseUnavailable → service_unavailable",
  DatabaseWaitError: "boot waits for the database",
  StatementStalledError: "a CSV statement stream stalled; the download is cut off",
  SlotWaitTooLong: "the vendor rate limiter's internal signal (a VendorError 'deferred' to callers)",
  TakenMeanwhile: "the vendor batch's internal signal that a closing batch took the order while another was opening (caught in queueOrder)",
  VendorError: "the supplier's failures, with their own kind for retries; the order engine turns them into order states",
  AlreadyExists: "inside the mock vendor",
  InsufficientBalance: "inside the mock vendor",
  ProfitGuardError: "pricing's guard; createOrder turns it into OrderError below_cost (its message names the cost)",
  TargetError: "webhooks' URL check; turned into WebhookError invalid_url",
  WebhookVerificationError: "for partners verifying our webhook signatures (docs/SDK), not raised by the app",
};

/** One instance of every DomainError subclass, as its module raises it. */
const SAMPLES: DomainError[] = [
  new OrderError("invalid_face_value", "faceValue must be …", "faceValue"),
  new ledgerErrors.InsufficientFundsError("acc_1", "10.0000", "USD"),
  new ledgerErrors.CurrencyMismatchError("acc_1", "USD", "EUR"),
  new ledgerErrors.EnvironmentMismatchError("acc_1", "acc_2"),
  new ledgerErrors.LedgerConflictError("order_debit", "ord_1", "trf_1", "another amount"),
  new ledgerErrors.AccountNotFoundError("acc_1"),
  new ledgerErrors.OrderDebitNotFoundError("ord_1"),
  new ledgerErrors.RefundExceedsDebitError("ord_1", "2.0000", "1.0000"),
  new ledgerErrors.TopupNotFoundError("top_1"),
  new ledgerErrors.TopupStateError("top_1", "rejected", "approve"),
  new ledgerErrors.InvalidLedgerRequestError("a reason is required"),
  new WebhookError("invalid_url", "bad url", "url"),
  new KeyError("key_not_self", "only itself", "id"),
  new SignupError("email_taken", "taken"),
  new PasswordChangeError("wrong_password", "wrong", "currentPassword"),
  new InvalidAmountError("1e3", "malformed"),
  new InvalidCurrencyError("usd"),
];

/** Every `class X extends Y` in src/, by name. */
function classesInSource(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(entry.name)) {
        for (const m of fs.readFileSync(p, "utf8").matchAll(/\bclass\s+(\w+)(?:<[^{]*?>)?\s+extends\s+(\w+)/g)) out.set(m[1]!, m[2]!);
      }
    }
  };
  walk(path.resolve("src"));
  return out;
}

describe("the error vocabulary", () => {
  it("gives every code a known kind, a description and snake_case spelling", () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code, code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(Object.keys(ERROR_KINDS), code).toContain(info.kind);
      expect(info.description.length, code).toBeGreaterThan(10);
    }
  });

  it("maps every code to an HTTP status and envelope type (REST) and every kind to a TRPCError code", () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const { status, type } = httpErrorOf(code);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(type, code).toMatch(/_error$/);
    }
    for (const kind of Object.keys(ERROR_KINDS)) {
      expect(HTTP_BY_KIND, kind).toHaveProperty(kind);
      expect(TRPC_CODE_BY_KIND, kind).toHaveProperty(kind);
    }
    expect(ERROR_REFERENCE.map((r) => r.code)).toEqual(Object.keys(ERROR_CODES));
    expect(ERROR_REFERENCE.find((r) => r.code === "reference_conflict")).toMatchObject({
      kind: "idempotency_conflict",
      status: 409,
      type: "idempotency_error",
    });
  });

  it("has a kind on every DomainError subclass, and every other error class is a known internal one", () => {
    const classes = classesInSource();
    const isDomain = (name: string): boolean => name === "DomainError" || (classes.has(name) && isDomain(classes.get(name)!));
    const domain = [...classes.keys()].filter((c) => c !== "DomainError" && isDomain(c) && c !== "LedgerError");
    const sampled = new Set(SAMPLES.map((e) => e.constructor.name));
    expect(
      domain.filter((c) => !sampled.has(c)),
      "DomainError subclasses without a sample here",
    ).toEqual([]);
    for (const e of SAMPLES) {
      expect(e, e.constructor.name).toBeInstanceOf(DomainError);
      expect(e.kind, e.constructor.name).toBe(ERROR_CODES[e.code].kind);
      expect(e.name, "a literal name (bundlers may rename classes)").toBe(e.constructor.name);
    }
    const otherErrors = [...classes].filter(([, base]) => base === "Error").map(([name]) => name);
    expect(
      otherErrors.filter((c) => c !== "DomainError" && !(c in INTERNAL_ERRORS)),
      "errors that are neither DomainErrors nor known internal ones",
    ).toEqual([]);
  });

  it("answers REST through the one table: status, type, code, message and param from the error", () => {
    const funds = toApiError(new ledgerErrors.InsufficientFundsError("acc_1", "10.0000", "EUR"));
    expect([funds.status, funds.type, funds.code, funds.message]).toEqual([
      402,
      "payment_error",
      "insufficient_funds",
      "Your EUR wallet balance is too low for this order. Top up your wallet and try again.",
    ]);
    const conflict = toApiError(new OrderError("reference_conflict", "used", "referenceId"));
    expect([conflict.status, conflict.type, conflict.param]).toEqual([409, "idempotency_error", "referenceId"]);
    const busy = toApiError(new DomainError("statement_downloads_busy", "busy", { retryAfterSeconds: 5 }));
    expect([busy.status, busy.headers]).toEqual([503, { "Retry-After": "5" }]);
    const zod = toApiError(new ZodError(z.object({ n: z.number() }).safeParse({ n: "1" }).error!.issues));
    expect([zod.status, zod.code, zod.param]).toEqual([400, "invalid_parameter", "n"]);
    const unknown = toApiError(new Error("connect ECONNREFUSED 10.0.0.7:5432 password=hunter2"));
    expect([unknown.status, unknown.code]).toEqual([500, "internal_error"]);
    expect(unknown.message).not.toMatch(/10\.0\.0\.7|hunter2/);
    expect(ApiError.of("too_many_downloads", "wait")).toMatchObject({ status: 429, type: "rate_limit_error", code: "too_many_downloads" });
  });
});
