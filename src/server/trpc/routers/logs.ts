import { router } from "../init";

/** The partner dashboard's logs procedures (issue 16). */
export const logsRouter = router({});
