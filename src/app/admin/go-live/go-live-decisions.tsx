"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { useTRPC } from "@/trpc/react";

const STATUSES = [
  { value: "pending", label: "Pending" },
  { value: "approved", label: "Approved" },
  { value: "rejected", label: "Rejected" },
  { value: "", label: "All" },
] as const;

const TONE = { pending: "warning", approved: "success", rejected: "danger" } as const;

/** The go-live queue: pending first with what the partner submitted; approve, or reject with a reason. */
export function GoLiveDecisions() {
  const trpc = useTRPC();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const [params, setParams] = useUrlParams();
  // No parameter: the pending ones; "all": every request.
  const status = params.status === "all" ? "" : (STATUSES.find((s) => s.value && s.value === params.status)?.value ?? "pending");
  const list = useQuery(trpc.admin.partners.goLiveRequests.queryOptions(status ? { status } : undefined));
  const decide = useMutation(
    trpc.admin.partners.decideGoLive.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.admin.partners.goLiveRequests.queryKey() }),
    }),
  );
  return (
    <div className="space-y-4">
      <fieldset className="flex flex-wrap gap-2">
        <legend className="sr-only">Show requests</legend>
        {STATUSES.map((s) => (
          <Button
            key={s.label}
            size="sm"
            variant={status === s.value ? "primary" : "secondary"}
            aria-pressed={status === s.value}
            onClick={() => setParams({ status: s.value || "all" })}
          >
            {s.label}
          </Button>
        ))}
      </fieldset>
      {list.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : list.error ? (
        <ErrorState message={list.error.message} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title={status === "pending" ? "No request waiting" : "No request here"}>
          {status === "pending" ? "Partners ask from their dashboard (Go live); their requests wait here." : "Nothing matches this view."}
        </EmptyState>
      ) : (
        list.data.map(({ request: r, businessName }) => (
          <article key={r.id} className="rounded-lg border border-slate-200 bg-white p-5 text-sm" aria-label={`Go-live request of ${businessName}`}>
            <header className="flex flex-wrap items-start justify-between gap-2">
              <div>
                <h2 className="text-base font-semibold">
                  <Link href={`/admin/partners/${r.partnerId}`} className="text-brand-700 underline-offset-2 hover:underline">
                    {businessName}
                  </Link>{" "}
                  <span className="font-normal text-slate-600">({r.legalName})</span>
                </h2>
                <p className="text-xs text-slate-600">Submitted {dateTime(r.createdAt, locale)}</p>
              </div>
              <Badge tone={TONE[r.status as keyof typeof TONE] ?? "neutral"}>{r.status}</Badge>
            </header>
            <dl className="mt-3 grid grid-cols-1 gap-x-4 gap-y-1 text-slate-700 sm:grid-cols-[max-content_minmax(0,1fr)]">
              <dt className="text-slate-600">Registration number</dt>
              <dd>{r.registrationNumber}</dd>
              <dt className="text-slate-600">Website</dt>
              <dd className="break-all">{r.website}</dd>
              <dt className="text-slate-600">Expected monthly volume</dt>
              <dd className="tabular-nums">{money(r.expectedMonthlyVolume, "USD", locale)}</dd>
              <dt className="text-slate-600">Use case</dt>
              <dd className="whitespace-pre-wrap">{r.useCase}</dd>
              {r.decidedAt && (
                <>
                  <dt className="text-slate-600">Decided</dt>
                  <dd>{dateTime(r.decidedAt, locale)}</dd>
                </>
              )}
              {r.decisionReason && (
                <>
                  <dt className="text-slate-600">Reason</dt>
                  <dd>{r.decisionReason}</dd>
                </>
              )}
            </dl>
            {r.status === "pending" && (
              <div className="mt-4 flex flex-wrap justify-end gap-2">
                <ReasonDialog
                  trigger={<Button variant="secondary">Reject</Button>}
                  title={`Reject go-live for ${businessName}`}
                  consequence="The partner stays in the sandbox (no live keys) and is emailed your reason; it may ask again."
                  confirmLabel="Reject request"
                  danger
                  onConfirm={async (reason) => {
                    await decide.mutateAsync({ requestId: r.id, decision: "reject", reason });
                    toast.success(`Rejected; ${businessName} is emailed the reason.`);
                  }}
                />
                <ReasonDialog
                  trigger={<Button>Approve</Button>}
                  title={`Approve go-live for ${businessName}`}
                  consequence="The partner gets live access at once: it can create live API keys and place live orders once its live wallet is funded. It is emailed the decision."
                  reasonLabel="Note to the partner (optional)"
                  optional
                  confirmLabel="Approve go-live"
                  onConfirm={async (reason) => {
                    await decide.mutateAsync({ requestId: r.id, decision: "approve", reason });
                    toast.success(`${businessName} is live.`);
                  }}
                />
              </div>
            )}
          </article>
        ))
      )}
    </div>
  );
}
