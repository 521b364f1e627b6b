import type { InngestFunction } from "inngest";

/** Every Inngest function of the app; the serve route and the embedded executor read this list. */
export const functions: InngestFunction.Any[] = [];
