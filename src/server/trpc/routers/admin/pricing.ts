import { router } from "../../init";

/** Pricing and catalog visibility per partner: products, markups, bulk assignment, preview, profit guard. */
export const adminPricingRouter = router({});
