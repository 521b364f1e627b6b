import { router } from "../init";

/** The partner dashboard's wallet procedures (issue 16). */
export const walletRouter = router({});
