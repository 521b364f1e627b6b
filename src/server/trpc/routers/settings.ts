import { router } from "../init";

/** The partner dashboard's settings procedures (issue 16). */
export const settingsRouter = router({});
