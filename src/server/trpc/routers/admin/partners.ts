import { listPartners } from "@/server/partners/queries";
import { adminProcedure, router } from "../../init";

/** Partners: list, detail, manual onboarding, edit, suspend / reactivate. */
export const adminPartnersRouter = router({
  list: adminProcedure.query(({ ctx }) => listPartners(ctx.db)),
});
