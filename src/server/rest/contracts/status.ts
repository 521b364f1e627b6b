import { z } from "zod";
import { defineContract, jsonResponse } from "../contract";

const componentStatus = z.enum(["operational", "degraded", "outage"]);

const statusReport = z.object({
  status: componentStatus.describe("The worst of the components"),
  updatedAt: z.string(),
  components: z.array(
    z.object({
      id: z.enum(["api", "fulfilment", "webhooks", "dashboard"]),
      name: z.string(),
      status: componentStatus,
      detail: z.string().nullable().describe("Why it is not operational"),
    }),
  ),
  incidents: z
    .array(
      z.object({
        id: z.string(),
        component: z.enum(["api", "fulfilment", "webhooks", "dashboard"]),
        status: z.enum(["degraded", "outage"]).describe("The worst it reached"),
        title: z.string(),
        detail: z.string(),
        startedAt: z.string(),
        endedAt: z.string().nullable().describe("null while it lasts"),
      }),
    )
    .describe("The incidents of the last 90 days, newest first, opened and closed automatically"),
});

export const getStatus = defineContract({
  method: "GET",
  path: "/api/v1/status",
  access: "public",
  tag: "Reference",
  summary: "Platform status",
  description:
    "No API key. Each component (API, order fulfilment, webhooks, dashboard) is operational, degraded or in outage, derived from health checks and the recent outcomes of orders, vendor calls, webhook deliveries and background jobs; with the incidents of the last 90 days. The same as the /status page.",
  responses: {
    200: jsonResponse(statusReport, "The status now", {
      example: {
        status: "operational",
        updatedAt: "2026-11-30T05:00:00.000Z",
        components: [
          { id: "api", name: "API", status: "operational", detail: null },
          { id: "fulfilment", name: "Order fulfilment", status: "operational", detail: null },
          { id: "webhooks", name: "Webhooks", status: "operational", detail: null },
          { id: "dashboard", name: "Dashboard", status: "operational", detail: null },
        ],
        incidents: [],
      },
    }),
  },
});
