import { CheckCircle2, CircleAlert, XCircle } from "lucide-react";
import type { Metadata } from "next";
import { SiteFooter } from "@/components/portal/site-footer";
import { SiteHeader } from "@/components/portal/site-header";
import { getDb } from "@/server/db/client";
import { type ComponentStatus, type StatusReport, statusReport } from "@/server/status";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Status",
  description: "Whether the Steller API, order fulfilment, webhooks and dashboard are working, and the incidents of the last 90 days.",
};

const LABEL: Record<ComponentStatus, string> = { operational: "Operational", degraded: "Degraded", outage: "Outage" };
const HEADLINE: Record<ComponentStatus, string> = {
  operational: "All systems operational",
  degraded: "Some systems are degraded",
  outage: "Some systems are down",
};
const TONE: Record<ComponentStatus, string> = {
  operational: "border-emerald-200 bg-emerald-50 text-emerald-900",
  degraded: "border-amber-200 bg-amber-50 text-amber-900",
  outage: "border-red-200 bg-red-50 text-red-900",
};

function Icon({ status }: { status: ComponentStatus }) {
  if (status === "operational") return <CheckCircle2 aria-hidden className="size-5 text-emerald-600" />;
  if (status === "degraded") return <CircleAlert aria-hidden className="size-5 text-amber-600" />;
  return <XCircle aria-hidden className="size-5 text-red-600" />;
}

const when = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";

async function load(): Promise<StatusReport | null> {
  try {
    return await statusReport(getDb());
  } catch {
    return null;
  }
}

/** The public status page: the same report as GET /api/v1/status. */
export default async function StatusPage() {
  const report = await load();
  const overall: ComponentStatus = report?.status ?? "outage";
  return (
    <div className="flex min-h-screen flex-col bg-white">
      <SiteHeader />
      <main id="main" className="mx-auto w-full max-w-3xl flex-1 px-4 py-12">
        <h1 className="text-3xl font-semibold tracking-tight">Steller status</h1>
        <div className={`mt-6 flex items-center gap-3 rounded-lg border px-4 py-3 font-medium ${TONE[overall]}`} data-testid="status-overall">
          <Icon status={overall} />
          {report ? HEADLINE[overall] : "The status could not be read: our database is not answering."}
        </div>
        {report && (
          <>
            <p className="mt-2 text-sm text-slate-600">
              Updated {when(report.updatedAt)}. Also as JSON: <code className="rounded bg-slate-100 px-1">GET /api/v1/status</code>.
            </p>
            <section aria-labelledby="components-title" className="mt-10">
              <h2 id="components-title" className="text-lg font-semibold">
                Components
              </h2>
              <ul className="mt-3 divide-y divide-slate-200 rounded-lg border border-slate-200" aria-label="Components">
                {report.components.map((c) => (
                  <li key={c.id} className="px-4 py-3" data-testid={`component-${c.id}`}>
                    <div className="flex items-center justify-between gap-3">
                      <span className="font-medium">{c.name}</span>
                      <span className="flex items-center gap-2 text-sm">
                        <Icon status={c.status} /> {LABEL[c.status]}
                      </span>
                    </div>
                    {c.detail && <p className="mt-1 text-sm text-slate-700">{c.detail}</p>}
                  </li>
                ))}
              </ul>
            </section>
            <section aria-labelledby="incidents-title" className="mt-10">
              <h2 id="incidents-title" className="text-lg font-semibold">
                Incidents in the last 90 days
              </h2>
              {report.incidents.length === 0 ? (
                <p className="mt-3 text-sm text-slate-600">No incident recorded in the last 90 days.</p>
              ) : (
                <ol className="mt-3 space-y-3" aria-label="Incidents">
                  {report.incidents.map((i) => (
                    <li key={i.id} className="rounded-lg border border-slate-200 px-4 py-3">
                      <p className="flex items-center gap-2 font-medium">
                        <Icon status={i.status} /> {i.title}
                        {!i.endedAt && <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-900">ongoing</span>}
                      </p>
                      {i.detail && <p className="mt-1 text-sm text-slate-700">{i.detail}</p>}
                      <p className="mt-1 text-xs text-slate-600">
                        {when(i.startedAt)} → {i.endedAt ? when(i.endedAt) : "now"}
                      </p>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </>
        )}
      </main>
      <SiteFooter />
    </div>
  );
}
