import Link from "next/link";
import { serverApi } from "@/trpc/server";

/** Where each unfinished step is done. */
const HREF: Record<string, string> = {
  first_sandbox_api_call: "/docs",
  first_sandbox_order: "/dashboard/console",
  first_webhook_endpoint: "/dashboard/webhooks",
  go_live_requested: "/dashboard/go-live",
  go_live_approved: "/dashboard/go-live",
  first_live_funding: "/dashboard/wallet?tab=topups",
  first_live_order: "/dashboard/api-keys",
};

/** The overview's onboarding checklist: the activation milestones, done or with a link to do them. */
export async function ChecklistCard() {
  const api = await serverApi();
  const { steps, done, total } = await api.onboarding.checklist();
  return (
    <section className="mt-8 max-w-2xl rounded-lg border border-slate-200 bg-white" aria-labelledby="checklist-title" data-testid="onboarding-checklist">
      <h2 id="checklist-title" className="flex items-center justify-between border-b border-slate-100 px-4 py-3 text-sm font-semibold">
        <span>Getting started</span>
        <span className="text-xs font-medium text-slate-600">
          {done} of {total} done
        </span>
      </h2>
      <ol className="divide-y divide-slate-100">
        {steps.map((s) => (
          <li
            key={s.milestone}
            className="flex items-center justify-between px-4 py-2.5 text-sm"
            data-milestone={s.milestone}
            data-done={s.doneAt ? "true" : "false"}
          >
            <span className="flex items-center gap-2">
              <span aria-hidden="true" className={s.doneAt ? "text-green-700" : "text-slate-400"}>
                {s.doneAt ? "✓" : "○"}
              </span>
              <span className={s.doneAt ? "text-slate-600" : "font-medium text-slate-900"}>{s.label}</span>
              <span className="sr-only">{s.doneAt ? "(done)" : "(to do)"}</span>
            </span>
            {s.doneAt ? (
              <time className="text-xs text-slate-600" dateTime={s.doneAt.toISOString()}>
                {s.doneAt.toISOString().slice(0, 10)}
              </time>
            ) : HREF[s.milestone] ? (
              <Link href={HREF[s.milestone]!} className="text-xs font-medium text-brand-700 underline">
                Do it
              </Link>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
