import { router } from "../../init";

/** A partner's API keys, as an admin sees them: issue, revoke, last use. */
export const adminKeysRouter = router({});
