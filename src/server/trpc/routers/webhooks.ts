import { router } from "../init";

/** The partner dashboard's webhooks procedures (issue 16). */
export const webhooksRouter = router({});
