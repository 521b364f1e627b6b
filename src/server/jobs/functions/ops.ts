import { evaluateAlerts } from "@/server/alerts";
import { opsRunRequested } from "@/server/outbox/events";
import { componentStatuses, recordIncidents } from "@/server/status";
import { inngest } from "../client";

/**
 * The operations monitor, every minute: raises or resolves the admin alerts (ledger drift,
 * reconciliation, vendor failing or rate-limiting for minutes, disabled webhook endpoints) and
 * opens or closes the status page's incidents from the components' status. One at a time.
 */
export const opsMonitor = inngest.createFunction(
  {
    id: "ops-monitor",
    name: "Monitor: alerts and status incidents",
    triggers: [{ cron: "TZ=UTC * * * * *" }, { event: opsRunRequested, if: "event.data.function == 'ops-monitor'" }],
    retries: 1,
    concurrency: [{ limit: 1 }],
  },
  async ({ step, services }) => {
    const alerts = await step.run("alerts", () => evaluateAlerts(services.db));
    const incidents = await step.run("incidents", async () => recordIncidents(services.db, await componentStatuses(services.db)));
    return { alerts, incidents };
  },
);
