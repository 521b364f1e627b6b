import { Inngest } from "inngest";

/** The one Inngest client. Typed events and functions are registered in ./functions. */
export const inngest = new Inngest({ id: "steller" });
