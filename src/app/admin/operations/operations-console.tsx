"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog, Sheet } from "@/components/ui/dialog";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";

const RUN_TONES: Record<string, BadgeTone> = {
  completed: "success",
  failed: "danger",
  cancelled: "neutral",
  running: "brand",
  sleeping: "brand",
  queued: "warning",
};
const STATUS_TONES: Record<string, BadgeTone> = { operational: "success", degraded: "warning", outage: "danger" };
/** What "Run now" does for each job, said in its confirmation. */
const RUNNABLE: Record<string, string> = {
  "catalog-sync": "Fetches the vendor's catalog now and updates products and prices (one sync at a time).",
  "orders-backfill": "Re-drives every order stuck in pending or processing for 30 minutes (their placement retried with the same vendor request id).",
  "orders-reconcile": "Asks the vendor about our finished orders of the last 24 hours and records each disagreement.",
  "ledger-consistency": "Checks every balance against its entries and every order's revenue against its margin; drift raises an alert.",
  "partners-engagement": "Sends today's re-engagement emails and activation nudges (never twice to the same partner in the window).",
  "ops-monitor": "Re-evaluates every alert and the status page's incidents now.",
};

function duration(start: Date | string | null, end: Date | string | null): string {
  if (!start) return "—";
  const ms = new Date(end ?? Date.now()).getTime() - new Date(start).getTime();
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} id={id} className="mt-10 first:mt-0">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      <div className="mt-3">{children}</div>
    </section>
  );
}

function Table({ label, head, children }: { label: string; head: string[]; children: React.ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard (axe scrollable-region-focusable)
    <section className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-label={label} tabIndex={0}>
      <table className="w-full min-w-[640px] text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </section>
  );
}

export function OperationsConsole() {
  return (
    <>
      <SystemLine />
      <AlertsSection />
      <StatusSection />
      <JobsSection />
      <ReconciliationSection />
      <ConsistencySection />
    </>
  );
}

function SystemLine() {
  const trpc = useTRPC();
  const system = useQuery(trpc.admin.ops.system.queryOptions());
  if (!system.data) return null;
  const s = system.data;
  return (
    <div className="flex flex-wrap items-center gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm" data-testid="ops-system">
      <p className="flex items-center gap-2">
        Live vendor: {s.liveVendor === "mock" ? <Badge tone="warning">Mock vendor (no real cards)</Badge> : <Badge tone="success">Bamboo</Badge>}
      </p>
      <p className="flex items-center gap-2">
        Jobs:{" "}
        {s.jobs === "embedded" ? (
          <Badge tone="brand">Embedded executor (runs below)</Badge>
        ) : (
          <>
            <Badge tone="brand">Inngest server</Badge>
            {s.inngestUrl && (
              <a className="text-brand-700 underline" href={s.inngestUrl} target="_blank" rel="noreferrer">
                Open the Inngest dashboard
              </a>
            )}
          </>
        )}
      </p>
      <Link className="text-brand-700 underline" href="/admin/mailbox">
        Dev mailbox
      </Link>
      <Link className="text-brand-700 underline" href="/status">
        Public status page
      </Link>
    </div>
  );
}

function AlertsSection() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [showAll, setShowAll] = useState(false);
  const alerts = useQuery(trpc.admin.ops.alerts.queryOptions({ state: showAll ? "all" : "open" }, { refetchInterval: 30_000 }));
  const ack = useMutation(trpc.admin.ops.acknowledgeAlert.mutationOptions());
  return (
    <Section
      id="alerts"
      title="Alerts"
      description="Ledger drift, reconciliation mismatches, a failing or rate-limiting vendor and disabled webhook endpoints. Each is emailed to every admin once; it closes by itself when its cause is gone."
    >
      <label className="mb-3 flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> Show resolved alerts
      </label>
      {alerts.isPending ? (
        <Skeleton className="h-24" />
      ) : alerts.error ? (
        <ErrorState message={alerts.error.message} onRetry={() => alerts.refetch()} />
      ) : alerts.data.length === 0 ? (
        <EmptyState title="No open alert">Everything the monitor watches is fine.</EmptyState>
      ) : (
        <ul className="space-y-3" aria-label="Alerts">
          {alerts.data.map((a) => (
            <li key={a.id} className="rounded-lg border border-slate-200 bg-white p-4">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    <Badge tone={a.severity === "critical" ? "danger" : "warning"}>{a.severity}</Badge>
                    {a.title}
                    {a.resolvedAt && <Badge tone="success">resolved</Badge>}
                  </p>
                  <p className="mt-1 break-words text-sm text-slate-700">{a.detail}</p>
                  <p className="mt-1 text-xs text-slate-600">
                    Raised <RelativeTime value={a.createdAt} /> · seen {a.occurrences} time{a.occurrences === 1 ? "" : "s"}, last{" "}
                    <RelativeTime value={a.lastSeenAt} />
                    {a.acknowledgedAt && (
                      <>
                        {" "}
                        · acknowledged by {a.acknowledgedByName ?? a.acknowledgedBy} <RelativeTime value={a.acknowledgedAt} />
                      </>
                    )}
                  </p>
                  {a.links.length > 0 && (
                    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm">
                      {a.links.map((l) => (
                        <li key={l.href}>
                          <Link className="text-brand-700 underline" href={l.href}>
                            {l.label}
                          </Link>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
                {!a.acknowledgedAt && !a.resolvedAt && (
                  <ReasonDialog
                    trigger={<Button size="sm">Acknowledge</Button>}
                    title={`Acknowledge: ${a.title}`}
                    consequence="The banner stops showing this alert for every admin; your name and the time are recorded in the audit log. The alert stays open until its cause is gone."
                    reasonLabel="Note (optional)"
                    optional
                    confirmLabel="Acknowledge alert"
                    onConfirm={async (note) => {
                      await ack.mutateAsync({ alertId: a.id, note: note || undefined });
                      toast.success("Alert acknowledged.");
                      await qc.invalidateQueries({ queryKey: trpc.admin.ops.alerts.queryKey() });
                    }}
                  />
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function StatusSection() {
  const trpc = useTRPC();
  const status = useQuery(trpc.admin.ops.status.queryOptions(undefined, { refetchInterval: 30_000 }));
  return (
    <Section
      id="status"
      title="Status"
      description="What the public status page shows now, from health checks and the recent outcomes of orders, vendor calls, webhooks and jobs."
    >
      {status.isPending ? (
        <Skeleton className="h-16" />
      ) : status.error ? (
        <ErrorState message={status.error.message} onRetry={() => status.refetch()} />
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Components">
          {status.data.components.map((c) => (
            <li key={c.id} className="rounded-lg border border-slate-200 bg-white p-3">
              <p className="flex items-center justify-between gap-2 text-sm font-medium">
                {c.name} <Badge tone={STATUS_TONES[c.status]}>{c.status}</Badge>
              </p>
              {c.detail && <p className="mt-1 text-xs text-slate-600">{c.detail}</p>}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function JobsSection() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const fns = useQuery(trpc.admin.ops.functions.queryOptions(undefined, { refetchInterval: 15_000 }));
  const runNow = useMutation(trpc.admin.ops.runNow.mutationOptions());
  const [open, setOpen] = useState<{ id: string; name: string } | null>(null);
  return (
    <Section
      id="jobs"
      title="Jobs and crons"
      description="Every Inngest function of the app with its trigger and latest run. Open one for its runs, their steps, and to cancel or re-run."
    >
      {fns.isPending ? (
        <Skeleton className="h-40" />
      ) : fns.error ? (
        <ErrorState message={fns.error.message} onRetry={() => fns.refetch()} />
      ) : (
        <Table label="Jobs" head={["Job", "Trigger", "Latest run", "Last 24 h", "Actions"]}>
          {fns.data.map((f) => {
            const last = f.recent[0];
            return (
              <tr key={f.id}>
                <td className="px-3 py-2">
                  <p className="font-medium">{f.name}</p>
                  <p className="font-mono text-xs text-slate-600">{f.slug}</p>
                </td>
                <td className="px-3 py-2 text-xs text-slate-700">
                  {f.cron && <p className="font-mono">cron {f.cron}</p>}
                  {f.events.length > 0 && <p className="font-mono">{f.events.join(", ")}</p>}
                  {f.nextTickAt && (
                    <p>
                      next <RelativeTime value={f.nextTickAt} />
                    </p>
                  )}
                </td>
                <td className="px-3 py-2">
                  {last ? (
                    <div className="text-xs">
                      <Badge tone={RUN_TONES[last.status] ?? "neutral"}>{last.status}</Badge> <RelativeTime value={last.createdAt} /> ·{" "}
                      {duration(last.startedAt, last.finishedAt)}
                      {last.error && <p className="mt-1 max-w-xs truncate text-red-700">{last.error.message}</p>}
                    </div>
                  ) : (
                    <span className="text-xs text-slate-600">No run yet</span>
                  )}
                </td>
                <td className="px-3 py-2 text-xs text-slate-700">
                  {f.counts.completed24h} completed, {f.counts.failed24h} failed
                  {f.counts.running + f.counts.queued > 0 && (
                    <p>
                      {f.counts.running} running, {f.counts.queued} queued
                    </p>
                  )}
                </td>
                <td className="px-3 py-2">
                  <div className="flex flex-wrap gap-2">
                    <Button size="sm" variant="secondary" onClick={() => setOpen({ id: f.id, name: f.name })} aria-label={`Runs of ${f.name}`}>
                      Runs
                    </Button>
                    {RUNNABLE[f.slug] && (
                      <ConfirmDialog
                        trigger={
                          <Button size="sm" aria-label={`Run ${f.name} now`}>
                            Run now
                          </Button>
                        }
                        title={`Run “${f.name}” now?`}
                        consequence={RUNNABLE[f.slug]}
                        confirmLabel="Run now"
                        onConfirm={async () => {
                          await runNow.mutateAsync({ job: f.slug as never });
                          toast.success(`${f.name}: run requested.`);
                          setTimeout(() => qc.invalidateQueries({ queryKey: trpc.admin.ops.functions.queryKey() }), 1500);
                        }}
                      />
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </Table>
      )}
      <RunsSheet fn={open} onClose={() => setOpen(null)} />
    </Section>
  );
}

function RunsSheet({ fn, onClose }: { fn: { id: string; name: string } | null; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const runs = useQuery({ ...trpc.admin.ops.runs.queryOptions({ functionId: fn?.id, limit: 25 }), enabled: !!fn, refetchInterval: 5_000 });
  const [runId, setRunId] = useState<string | null>(null);
  const run = useQuery({ ...trpc.admin.ops.run.queryOptions({ runId: runId ?? "" }), enabled: !!runId });
  const cancel = useMutation(trpc.admin.ops.cancelRun.mutationOptions());
  const rerun = useMutation(trpc.admin.ops.rerun.mutationOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.admin.ops.pathKey() });
  return (
    <Sheet
      open={!!fn}
      onOpenChange={(o) => {
        if (!o) {
          onClose();
          setRunId(null);
        }
      }}
      title={fn ? `Runs of ${fn.name}` : "Runs"}
      description="Newest first: status, duration, attempts and errors. Choose a run for its steps."
    >
      {runs.isPending ? (
        <Skeleton className="h-40" />
      ) : runs.error ? (
        <ErrorState message={runs.error.message} />
      ) : runs.data.data.length === 0 ? (
        <EmptyState title="No run recorded">With an Inngest server, its runs are in the Inngest dashboard.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Runs">
          {runs.data.data.map((r) => (
            <li key={r.id} className="py-3 text-sm">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <button type="button" className="text-left" onClick={() => setRunId(r.id === runId ? null : r.id)} aria-expanded={r.id === runId}>
                  <Badge tone={RUN_TONES[r.status] ?? "neutral"}>{r.status}</Badge> <span className="font-mono text-xs">{r.id}</span>
                  <span className="block text-xs text-slate-600">
                    <RelativeTime value={r.createdAt} /> · {duration(r.startedAt, r.finishedAt)} · attempt {r.attempt + 1}
                    {r.failures > 0 && `, ${r.failures} failed request(s)`} · {r.eventName}
                  </span>
                </button>
                <div className="flex gap-2">
                  {(r.status === "queued" || r.status === "running" || r.status === "sleeping") && (
                    <ReasonDialog
                      trigger={
                        <Button size="sm" variant="secondary" aria-label={`Cancel run ${r.id}`}>
                          Cancel run
                        </Button>
                      }
                      title="Cancel this run?"
                      consequence="The run stops: a queued or sleeping run never resumes; a running one stops at its next step (a step already calling the vendor may still finish). Nothing is rolled back. Audited with your reason."
                      optional
                      reasonLabel="Reason (optional)"
                      confirmLabel="Cancel run"
                      danger
                      onConfirm={async (reason) => {
                        await cancel.mutateAsync({ runId: r.id, reason: reason || undefined });
                        toast.success("Run cancelled.");
                        await refresh();
                      }}
                    />
                  )}
                  {r.status === "failed" && (
                    <ConfirmDialog
                      trigger={
                        <Button size="sm" variant="secondary" aria-label={`Run ${r.id} again`}>
                          Run again
                        </Button>
                      }
                      title="Run this function again?"
                      consequence="A new run starts with the same event; its steps run again (they are idempotent)."
                      confirmLabel="Run again"
                      onConfirm={async () => {
                        await rerun.mutateAsync({ runId: r.id });
                        toast.success("Run started again.");
                        await refresh();
                      }}
                    />
                  )}
                </div>
              </div>
              {r.error && <p className="mt-1 break-words text-xs text-red-700">{r.error.message}</p>}
              {r.id === runId && (
                <div className="mt-2 rounded-md bg-slate-50 p-3">
                  {run.isPending ? (
                    <Skeleton className="h-10" />
                  ) : run.error ? (
                    <ErrorState message={run.error.message} />
                  ) : run.data.steps.length === 0 ? (
                    <p className="text-xs text-slate-600">No step recorded.</p>
                  ) : (
                    <ol className="space-y-1 text-xs" aria-label="Steps">
                      {run.data.steps.map((s) => (
                        <li key={s.stepId}>
                          <Badge tone={RUN_TONES[s.status] ?? (s.status === "retrying" ? "warning" : "neutral")}>{s.status}</Badge> {s.name} ({s.op}) ·{" "}
                          {duration(s.startedAt, s.finishedAt)} · {s.attempts} attempt{s.attempts === 1 ? "" : "s"}
                          {s.error && <span className="block text-red-700">{s.error.message}</span>}
                        </li>
                      ))}
                    </ol>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Sheet>
  );
}

function ReconciliationSection() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const findings = useQuery(trpc.admin.ops.reconciliation.queryOptions());
  const resolve = useMutation(trpc.admin.ops.resolveFinding.mutationOptions());
  return (
    <Section
      id="reconciliation"
      title="Reconciliation mismatches"
      description="Orders on which we and the vendor disagree (hourly reconciliation of the last 24 hours). Open the order, fix it, then mark the finding resolved."
    >
      {findings.isPending ? (
        <Skeleton className="h-24" />
      ) : findings.error ? (
        <ErrorState message={findings.error.message} />
      ) : findings.data.length === 0 ? (
        <EmptyState title="No open mismatch">The last reconciliation agreed with the vendor.</EmptyState>
      ) : (
        <Table label="Reconciliation mismatches" head={["Order", "Partner", "Kind", "Ours / vendor", "Detail", "Found", ""]}>
          {findings.data.map((f) => (
            <tr key={f.id}>
              <td className="px-3 py-2 font-mono text-xs">
                {f.orderId ? (
                  <Link className="text-brand-700 underline" href={`/admin/orders/${f.orderId}`}>
                    {f.orderId}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
              <td className="px-3 py-2 font-mono text-xs">
                {f.partnerId ? (
                  <Link className="text-brand-700 underline" href={`/admin/partners/${f.partnerId}`}>
                    {f.partnerId}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
              <td className="px-3 py-2 text-xs">{f.kind.replace(/_/g, " ")}</td>
              <td className="px-3 py-2 text-xs">
                {f.ourStatus ?? "?"} / {f.vendorStatus ?? "none"}
              </td>
              <td className="px-3 py-2 text-xs text-slate-700">{f.detail}</td>
              <td className="px-3 py-2 text-xs">
                <RelativeTime value={f.createdAt} />
              </td>
              <td className="px-3 py-2">
                <ReasonDialog
                  trigger={
                    <Button size="sm" variant="secondary" aria-label={`Mark ${f.orderId ?? f.id} resolved`}>
                      Mark resolved
                    </Button>
                  }
                  title="Mark this mismatch resolved?"
                  consequence="Nothing moves: this records that the disagreement was handled (say how). The alert closes once no mismatch is left open."
                  confirmLabel="Mark resolved"
                  onConfirm={async (reason) => {
                    await resolve.mutateAsync({ findingId: f.id, reason });
                    toast.success("Marked resolved.");
                    await qc.invalidateQueries({ queryKey: trpc.admin.ops.reconciliation.queryKey() });
                  }}
                />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}

function ConsistencySection() {
  const trpc = useTRPC();
  const c = useQuery(trpc.admin.ops.consistency.queryOptions());
  return (
    <Section
      id="consistency"
      title="Ledger consistency"
      description="Hourly: every balance against the sum of its entries, every transfer balanced, every order's revenue equal to its margin."
    >
      {c.isPending ? (
        <Skeleton className="h-24" />
      ) : c.error ? (
        <ErrorState message={c.error.message} />
      ) : c.data.checks.length === 0 ? (
        <EmptyState title="No check yet">Run “Check ledger consistency” above.</EmptyState>
      ) : (
        <div className="space-y-4">
          <p className="text-sm">
            Latest check <RelativeTime value={c.data.checks[0]!.checkedAt} />:{" "}
            {c.data.checks[0]!.ok ? (
              <Badge tone="success">consistent</Badge>
            ) : (
              <Badge tone="danger">drift on {c.data.checks[0]!.driftAccounts} account(s)</Badge>
            )}
          </p>
          {c.data.drift.length > 0 && (
            <Table label="Drifting accounts" head={["Account", "Partner", "Kind", "Balance", "Sum of entries", "Drift"]}>
              {c.data.drift.map((d) => (
                <tr key={d.accountId}>
                  <td className="px-3 py-2 font-mono text-xs">
                    <Link className="text-brand-700 underline" href={`/admin/wallets?account=${d.accountId}`}>
                      {d.accountId}
                    </Link>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">
                    {d.account?.partnerId ? (
                      <Link className="text-brand-700 underline" href={`/admin/partners/${d.account.partnerId}`}>
                        {d.account.partnerId}
                      </Link>
                    ) : (
                      "platform"
                    )}
                  </td>
                  <td className="px-3 py-2 text-xs">{d.account ? `${d.account.kind} · ${d.account.environment} · ${d.account.currency}` : "?"}</td>
                  <td className="px-3 py-2 font-mono text-xs">{d.balance}</td>
                  <td className="px-3 py-2 font-mono text-xs">{d.entriesSum}</td>
                  <td className="px-3 py-2 font-mono text-xs text-red-700">{d.drift}</td>
                </tr>
              ))}
            </Table>
          )}
          {c.data.revenueMismatches.length > 0 && (
            <Table label="Orders whose revenue is not their margin" head={["Order", "Status", "Expected margin", "Recognised"]}>
              {c.data.revenueMismatches.map((m) => (
                <tr key={m.orderId}>
                  <td className="px-3 py-2 font-mono text-xs">
                    <Link className="text-brand-700 underline" href={`/admin/orders/${m.orderId}`}>
                      {m.orderId}
                    </Link>
                  </td>
                  <td className="px-3 py-2 text-xs">{m.status ?? "no such order"}</td>
                  <td className="px-3 py-2 font-mono text-xs">{m.expected ?? "unknown"}</td>
                  <td className="px-3 py-2 font-mono text-xs">{m.recognised}</td>
                </tr>
              ))}
            </Table>
          )}
          <details className="text-sm">
            <summary className="cursor-pointer text-slate-700">Earlier checks</summary>
            <ul className="mt-2 space-y-1 text-xs">
              {c.data.checks.map((k) => (
                <li key={k.id}>
                  <RelativeTime value={k.checkedAt} /> · {k.ok ? "consistent" : `drift on ${k.driftAccounts} account(s)`}{" "}
                  <span className="font-mono">{k.id}</span>
                </li>
              ))}
            </ul>
          </details>
        </div>
      )}
    </Section>
  );
}
