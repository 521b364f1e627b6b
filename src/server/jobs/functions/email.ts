import { inngest } from "../client";
import { emailRequested } from "@/server/outbox/events";
import { deliverEmail, type EmailRequest } from "@/server/email";

/**
 * email/requested → render the template and deliver it: over SMTP when SMTP_URL is set, otherwise
 * into the dev mailbox (table `emails`). Keyed by the event id, so a retried run never sends twice.
 */
export const sendEmailFunction = inngest.createFunction(
  { id: "email-send", name: "Send email", triggers: [emailRequested], retries: 5 },
  async ({ event, step, services }) => {
    const eventId = event.id;
    if (!eventId) throw new Error("email/requested without an event id");
    return step.run("deliver", () => deliverEmail(services.email, eventId, event.data as EmailRequest));
  },
);
