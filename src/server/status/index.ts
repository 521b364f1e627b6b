import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import { vendorHealth } from "@/server/alerts/vendor-health";
import type { DbOrTx } from "@/server/db/client";
import { incidents, jobRuns, orders, requestLogs, webhookDeliveries } from "@/server/db/schema";

export type ComponentStatus = "operational" | "degraded" | "outage";
export type ComponentId = "api" | "fulfilment" | "webhooks" | "dashboard";

export interface ComponentReport {
  id: ComponentId;
  name: string;
  status: ComponentStatus;
  /** Why it is not operational (public wording: no partner, order or account named). */
  detail: string | null;
}

export interface PublicIncident {
  id: string;
  component: ComponentId;
  status: "degraded" | "outage";
  title: string;
  detail: string;
  startedAt: string;
  endedAt: string | null;
}

export interface StatusReport {
  status: ComponentStatus;
  updatedAt: string;
  components: ComponentReport[];
  /** Incidents of the last 90 days, newest first. */
  incidents: PublicIncident[];
}

const NAMES: Record<ComponentId, string> = { api: "API", fulfilment: "Order fulfilment", webhooks: "Webhooks", dashboard: "Dashboard" };
/** How far back order, request and vendor outcomes count. */
const WINDOW_MS = 10 * 60_000;
/** How many of the latest finished orders of the window count, and at least how many before a share means anything. */
const ORDER_SAMPLE = 10;
/** API requests of the window read for its error rate: the latest ones. */
const REQUEST_SAMPLE = 2_000;
const MIN_ORDERS = 3;
/** An order, webhook delivery or job waiting past this long means the machinery is behind. */
const BEHIND_MS = 5 * 60_000;
const STUCK_ORDER_MS = 30 * 60_000;
const INCIDENT_DAYS = 90;

const RANK: Record<ComponentStatus, number> = { operational: 0, degraded: 1, outage: 2 };
const worst = (...s: ComponentStatus[]): ComponentStatus => s.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), "operational");

/** The health check's database probe: `select 1` within 2 s (a restarting or saturated database is down). */
async function databaseAnswers(db: DbOrTx): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([db.execute(sql`select 1`), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), 2_000)))]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Each component's status now, from the health check (database), the API's recent answers, the
 * vendor's recent calls and the latest finished orders, stuck orders, overdue webhook deliveries
 * and the job queue's backlog. The thresholds are documented in the runbook (docs).
 */
export async function componentStatuses(db: DbOrTx, opts: { now?: Date } = {}): Promise<ComponentReport[]> {
  const now = opts.now ?? new Date();
  if (!(await databaseAnswers(db))) {
    const detail = "Our database is not answering; requests fail until it is back.";
    return (Object.keys(NAMES) as ComponentId[]).map((id) => ({ id, name: NAMES[id], status: "outage", detail }));
  }
  const since = new Date(now.getTime() - WINDOW_MS);
  const behind = new Date(now.getTime() - BEHIND_MS);
  // The latest requests of the window, not all of them: this runs every minute (and on every view
  // of the status page), and at 1,000 requests/s ten minutes are 600,000 rows.
  const recentRequests = db
    .select({ status: requestLogs.status })
    .from(requestLogs)
    .where(gte(requestLogs.createdAt, since))
    .orderBy(desc(requestLogs.createdAt))
    .limit(REQUEST_SAMPLE)
    .as("recent");
  const [requests, vendor, finished, stuck, overdueDeliveries, backlog] = await Promise.all([
    db.select({ total: sql<number>`count(*)::int`, errors: sql<number>`count(*) filter (where ${recentRequests.status} >= 500)::int` }).from(recentRequests),
    vendorHealth(db, { now, windowMs: WINDOW_MS }),
    db
      .select({ status: orders.status })
      .from(orders)
      .where(and(inArray(orders.status, ["completed", "failed"]), gte(orders.finishedAt, since)))
      .orderBy(desc(orders.finishedAt))
      .limit(ORDER_SAMPLE),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(orders)
      .where(and(inArray(orders.status, ["pending", "processing"]), lt(orders.createdAt, new Date(now.getTime() - STUCK_ORDER_MS)))),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, "pending"), isNotNull(webhookDeliveries.nextAttemptAt), lt(webhookDeliveries.nextAttemptAt, behind))),
    db
      .select({ functionId: jobRuns.functionId })
      .from(jobRuns)
      .where(and(eq(jobRuns.status, "queued"), lt(jobRuns.runAt, behind), or(isNull(jobRuns.claimedUntil), lt(jobRuns.claimedUntil, now))))
      .limit(50),
  ]);

  const api: ComponentReport = { id: "api", name: NAMES.api, status: "operational", detail: null };
  const r = requests[0] ?? { total: 0, errors: 0 };
  if (r.total >= 20 && r.errors / r.total >= 0.05) {
    api.status = r.errors / r.total >= 0.5 ? "outage" : "degraded";
    api.detail = `${r.errors} of the latest ${r.total} API requests (last 10 minutes) failed on our side.`;
  }

  const fulfilment: ComponentReport = { id: "fulfilment", name: NAMES.fulfilment, status: "operational", detail: null };
  const reasons: string[] = [];
  let f: ComponentStatus = "operational";
  if (vendor.calls >= 5 && vendor.failureRatio >= 0.9) {
    f = worst(f, "outage");
    reasons.push("Our gift-card supplier is not answering; orders are accepted and wait until it is back.");
  } else if (vendor.calls >= 3 && vendor.failureRatio >= 0.25) {
    f = worst(f, "degraded");
    reasons.push("Our gift-card supplier is failing part of the requests; orders take longer.");
  }
  if (vendor.calls >= 5 && vendor.rateLimitedRatio >= 0.5) {
    f = worst(f, "degraded");
    reasons.push("Our gift-card supplier is limiting our request rate; orders take longer.");
  }
  const failedOrders = finished.filter((o) => o.status === "failed").length;
  if (finished.length >= MIN_ORDERS && failedOrders / finished.length >= 0.5) {
    f = worst(f, "degraded");
    reasons.push(`${failedOrders} of the latest ${finished.length} orders failed and were refunded.`);
  }
  if ((stuck[0]?.n ?? 0) > 0) {
    f = worst(f, "degraded");
    reasons.push("Some orders are taking longer than 30 minutes.");
  }
  const queueBehind = backlog.length > 0;
  if (queueBehind) {
    f = worst(f, "degraded");
    reasons.push("Background processing is behind.");
  }
  fulfilment.status = f;
  fulfilment.detail = reasons.length ? reasons.join(" ") : null;

  const webhooks: ComponentReport = { id: "webhooks", name: NAMES.webhooks, status: "operational", detail: null };
  if ((overdueDeliveries[0]?.n ?? 0) > 0 || backlog.some((b) => b.functionId.includes("webhook"))) {
    webhooks.status = "degraded";
    webhooks.detail = "Webhook deliveries are running late.";
  }

  const dashboard: ComponentReport = { id: "dashboard", name: NAMES.dashboard, status: api.status === "outage" ? "outage" : "operational", detail: null };
  if (dashboard.status !== "operational") dashboard.detail = api.detail;
  return [api, fulfilment, webhooks, dashboard];
}

/**
 * Opens an incident for each component that is not operational (one open per component; its
 * status is the worst reached), and closes the open incident of each that is operational again.
 * Returns what changed.
 */
export async function recordIncidents(db: DbOrTx, components: ComponentReport[]) {
  const opened: string[] = [];
  const closed: string[] = [];
  for (const c of components) {
    if (c.status === "operational") {
      const rows = await db
        .update(incidents)
        .set({ endedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(incidents.component, c.id), isNull(incidents.endedAt)))
        .returning({ id: incidents.id });
      closed.push(...rows.map((r) => r.id));
      continue;
    }
    const [row] = await db
      .insert(incidents)
      .values({ id: newId("inc"), component: c.id, status: c.status, title: `${c.name} ${c.status}`, detail: c.detail ?? "" })
      .onConflictDoUpdate({
        target: incidents.component,
        targetWhere: sql`${incidents.endedAt} is null`,
        set: {
          status: sql`case when ${incidents.status} = 'outage' then 'outage' else excluded.status end`,
          title: sql`case when ${incidents.status} = 'outage' then ${incidents.title} else excluded.title end`,
          detail: c.detail ?? "",
          updatedAt: sql`now()`,
        },
      })
      .returning({ id: incidents.id, opened: sql<boolean>`xmax = 0` });
    if (row?.opened) opened.push(row.id);
  }
  return { opened, closed };
}

/** Incidents of the last 90 days, newest first. */
async function recentIncidents(db: DbOrTx, opts: { now?: Date } = {}): Promise<PublicIncident[]> {
  const now = opts.now ?? new Date();
  const rows = await db
    .select()
    .from(incidents)
    .where(or(isNull(incidents.endedAt), gte(incidents.startedAt, new Date(now.getTime() - INCIDENT_DAYS * 86_400_000))))
    .orderBy(desc(incidents.startedAt))
    .limit(200);
  return rows.map((i) => ({
    id: i.id,
    component: i.component as ComponentId,
    status: i.status,
    title: i.title,
    detail: i.detail,
    startedAt: i.startedAt.toISOString(),
    endedAt: i.endedAt?.toISOString() ?? null,
  }));
}

/** The public status: every component now and the incidents of the last 90 days. */
export async function statusReport(db: DbOrTx, opts: { now?: Date } = {}): Promise<StatusReport> {
  const now = opts.now ?? new Date();
  const components = await componentStatuses(db, { now });
  const list = await recentIncidents(db, { now }).catch(() => []);
  return { status: worst(...components.map((c) => c.status)), updatedAt: now.toISOString(), components, incidents: list };
}
