import { router } from "../init";

/** The partner dashboard's team procedures (issue 16). */
export const teamRouter = router({});
