import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { MemberRole, SessionUser } from "@/server/auth/session-user";
import type { Db } from "@/server/db/client";

export interface TrpcContext {
  db: Db;
  user: SessionUser | null;
  headers: Headers;
  /**
   * Moves the caller's own session token to a new session version (after a password change);
   * only the HTTP route has a session cookie to rewrite, other callers leave it out.
   */
  moveSession?: (userId: string, sessionVersion: number) => Promise<void>;
}

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

export const publicProcedure = t.procedure;

/** Signed in: `ctx.user` is guaranteed. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Platform admins only. */
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
