import { z } from "zod";
import { clientIpFrom } from "@/lib/client-ip";
import { env } from "@/lib/env";
import { changePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/server/auth/sessions";
import { protectedProcedure, router } from "../init";

export const meRouter = router({
  get: protectedProcedure.query(({ ctx }) => ctx.user),

  /** Changes the password and ends every other session of the user; this one stays signed in. */
  changePassword: protectedProcedure
    .input(z.object({ currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH), newPassword: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH) }))
    .mutation(async ({ ctx, input }) => {
      const e = env();
      const { sessionVersion } = await changePassword(
        ctx.db,
        { userId: ctx.user.id, currentPassword: input.currentPassword, newPassword: input.newPassword, ip: clientIpFrom(ctx.headers) },
        { maxFailuresPerEmail: e.LOGIN_MAX_FAILURES_PER_EMAIL, maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP, windowMinutes: e.LOGIN_WINDOW_MINUTES },
      );
      await ctx.moveSession?.(ctx.user.id, sessionVersion);
      return { changed: true as const, otherSessionsEnded: true as const };
    }),
});
