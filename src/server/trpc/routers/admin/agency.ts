import { router } from "../../init";

/** The agency network as admins run it: agents, sub-agents, revenue share, tree view. */
export const adminAgencyRouter = router({});
