import { sendActivationNudges, sendReEngagementEmails } from "@/server/partners/activation";
import { opsRunRequested } from "@/server/outbox/events";
import { inngest } from "../client";

/** Days after signing up before a partner without a test order gets its (one) activation nudge. */
const ACTIVATION_NUDGE_AFTER_DAYS = 2;

/**
 * Daily: re-engagement emails to partners inactive for RE_ENGAGEMENT_INACTIVE_DAYS (never twice
 * within that window), and one activation nudge to partners stalled before their first test
 * order. Each step records its sends with the email requests, so a retried step sends nothing twice.
 */
export const partnerEngagement = inngest.createFunction(
  {
    id: "partners-engagement",
    name: "Engagement emails",
    triggers: [{ cron: "TZ=UTC 0 10 * * *" }, { event: opsRunRequested, if: "event.data.function == 'partners-engagement'" }],
    retries: 2,
    concurrency: [{ limit: 1 }],
  },
  async ({ step, services }) => {
    const now = services.clock.now();
    const reEngaged = await step.run("re-engagement", () =>
      sendReEngagementEmails(services.db, { inactiveDays: services.settings.RE_ENGAGEMENT_INACTIVE_DAYS, now }),
    );
    const nudged = await step.run("activation-nudges", () => sendActivationNudges(services.db, { afterDays: ACTIVATION_NUDGE_AFTER_DAYS, now }));
    return { reEngaged: reEngaged.partnerIds.length, nudged: nudged.partnerIds.length };
  },
);
