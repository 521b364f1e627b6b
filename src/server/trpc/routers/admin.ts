import { listPartners } from "@/server/partners/queries";
import { adminProcedure, router } from "../init";

export const adminRouter = router({
  partners: adminProcedure.query(({ ctx }) => listPartners(ctx.db)),
});
