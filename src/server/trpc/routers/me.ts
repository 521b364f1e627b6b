import { protectedProcedure, router } from "../init";

export const meRouter = router({
  get: protectedProcedure.query(({ ctx }) => ctx.user),
});
