import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { DomainError, type ErrorKind } from "@/lib/errors";
import { describeZodError } from "@/lib/zod-issues";
import type { MemberRole, SessionUser } from "@/server/auth/session-user";
import { servicesOver, type Services } from "@/server/boot/services";
import { isDatabaseUnavailable, type Db } from "@/server/db/client";

/**
 * What a caller hands to the procedures: the services built at boot (the API route passes the
 * process's; a test passes its own), the session user and the request's headers. `db` is
 * `services.db` (procedures use either). A caller made with `{ db }` only gets the services over
 * that database (`servicesOver`): procedures always see `ctx.services`.
 */
export interface TrpcContext {
  services?: Services;
  db: Db;
  user: SessionUser | null;
  headers: Headers;
  /**
   * Moves the caller's own session token to a new session version (after a password change);
   * only the HTTP route has a session cookie to rewrite, other callers leave it out.
   */
  moveSession?: (userId: string, sessionVersion: number) => Promise<void>;
}

/** The one table: the TRPCError code of each kind of domain error (src/lib/errors.ts). */
export const TRPC_CODE_BY_KIND = {
  invalid: "BAD_REQUEST",
  malformed: "BAD_REQUEST",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  idempotency_conflict: "CONFLICT",
  payment_required: "PAYMENT_REQUIRED",
  forbidden: "FORBIDDEN",
  unauthenticated: "UNAUTHORIZED",
  rate_limited: "TOO_MANY_REQUESTS",
  unavailable: "SERVICE_UNAVAILABLE",
  method_not_allowed: "METHOD_NOT_SUPPORTED",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  unsupported_media_type: "UNSUPPORTED_MEDIA_TYPE",
  internal: "INTERNAL_SERVER_ERROR",
} as const satisfies Record<ErrorKind, TRPC_ERROR_CODE_KEY>;

/**
 * What a form needs from an error, in `error.data`: the stable code of src/lib/errors.ts (null
 * for tRPC's own refusals such as UNAUTHORIZED), and the messages per input field — zod's
 * issues flattened, or the field a domain error names (`param`).
 */
export interface FormErrorData {
  errorCode: string | null;
  fieldErrors: Record<string, string[]>;
  formErrors: string[];
}

function formErrorData(cause: unknown): FormErrorData {
  if (cause instanceof ZodError) {
    const { fieldErrors, formErrors } = z.flattenError(cause);
    return { errorCode: "invalid_parameter", fieldErrors: fieldErrors as Record<string, string[]>, formErrors };
  }
  if (cause instanceof DomainError) {
    return { errorCode: cause.code, fieldErrors: cause.param ? { [cause.param]: [cause.message] } : {}, formErrors: cause.param ? [] : [cause.message] };
  }
  return { errorCode: null, fieldErrors: {}, formErrors: [] };
}

const INTERNAL_MESSAGE = "Something went wrong on our side. Please try again.";

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const data = formErrorData(error.cause);
    let message = shape.message;
    // zod's own message is its issues as JSON: say the first problem in a sentence instead.
    if (error.cause instanceof ZodError) message = describeZodError(error.cause).message;
    // An unexpected error's message may name internals (SQL, hosts): never sent to a browser.
    else if (error.code === "INTERNAL_SERVER_ERROR" && !(error.cause instanceof DomainError) && process.env.NODE_ENV === "production")
      message = INTERNAL_MESSAGE;
    return { ...shape, message, data: { ...shape.data, stack: undefined, ...data } };
  },
});

/**
 * The one mapping of errors for every procedure: a DomainError thrown anywhere below becomes the
 * TRPCError of its kind, with its message; a database that is busy or restarting becomes
 * SERVICE_UNAVAILABLE. Procedures never catch errors to translate them.
 */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof DomainError && result.error.code === "INTERNAL_SERVER_ERROR") {
    throw new TRPCError({ code: TRPC_CODE_BY_KIND[cause.kind], message: cause.message, cause });
  }
  if (result.error.code === "INTERNAL_SERVER_ERROR" && isDatabaseUnavailable(cause)) {
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The service is busy or restarting; retry in a moment.", cause });
  }
  return result;
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/** Every procedure's `ctx.services` (and `ctx.db`, its database), whatever the caller passed. */
const withServices = t.middleware(({ ctx, next }) => {
  const services = ctx.services ?? servicesOver(ctx.db);
  return next({ ctx: { ...ctx, services, db: services.db } });
});

export const publicProcedure = t.procedure.use(domainErrors).use(withServices);

/** Signed in: `ctx.user` is guaranteed. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Platform admins who passed the second factor in this session (`SessionUser.isAdmin`; src/server/auth/totp.ts). */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw new TRPCError({ code: "FORBIDDEN", message: "Administrators only." });
  return next({ ctx });
});

/**
 * Members of a partner, optionally limited to some roles (the owner always passes):
 * `ctx.partnerId` and `ctx.role` are guaranteed, and every query is scoped by that partner.
 */
export function partnerProcedure(...roles: MemberRole[]) {
  return protectedProcedure.use(({ ctx, next }) => {
    const m = ctx.user.membership;
    if (!m) throw new TRPCError({ code: "FORBIDDEN", message: "This needs a partner account." });
    if (roles.length > 0 && m.role !== "owner" && !roles.includes(m.role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${roles.join(" or ")} role.` });
    }
    return next({ ctx: { ...ctx, partnerId: m.partnerId, role: m.role } });
  });
}
