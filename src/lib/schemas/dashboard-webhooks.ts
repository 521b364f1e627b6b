import { z } from "zod";

/**
 * The webhook endpoint form (dashboard): what the browser checks and the procedure parses. The
 * domain checks the URL (public address, no credentials…) and the event types again.
 */
export const endpointInput = z.object({
  url: z.string().trim().min(1, "Enter the URL that receives the events.").max(2048, "At most 2048 characters."),
  description: z.string().trim().max(500, "At most 500 characters."),
  events: z.array(z.string().min(1).max(64)).min(1, "Choose at least one event.").max(10),
  enabled: z.boolean(),
});

export const DELIVERY_STATUSES = ["pending", "failed", "succeeded", "exhausted"] as const;
