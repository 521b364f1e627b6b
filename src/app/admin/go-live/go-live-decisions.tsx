"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { useTRPC } from "@/trpc/react";

export function GoLiveDecisions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.onboarding.admin.goLiveRequests.queryOptions());
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const decide = useMutation(
    trpc.onboarding.admin.decideGoLive.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.onboarding.admin.goLiveRequests.queryKey() }),
    }),
  );
  if (list.isPending) return <p className="text-sm text-slate-600">Loading…</p>;
  if (list.error)
    return (
      <p className="text-sm text-red-700" role="alert">
        {list.error.message}
      </p>
    );
  if (list.data.length === 0) return <p className="text-sm text-slate-600">No go-live request yet.</p>;
  return (
    <div className="space-y-4">
      {decide.error && (
        <p className="text-sm text-red-700" role="alert">
          {decide.error.message}
        </p>
      )}
      {list.data.map(({ request: r, businessName }) => (
        <article key={r.id} className="rounded-lg border border-slate-200 bg-white p-4 text-sm" aria-label={`Go-live request of ${businessName}`}>
          <header className="flex items-center justify-between">
            <h2 className="font-semibold">
              {businessName} <span className="font-normal text-slate-600">({r.legalName})</span>
            </h2>
            <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">{r.status}</span>
          </header>
          <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-slate-700">
            <dt>Registration</dt>
            <dd>{r.registrationNumber}</dd>
            <dt>Website</dt>
            <dd>{r.website}</dd>
            <dt>Monthly volume</dt>
            <dd>{r.expectedMonthlyVolume} USD</dd>
            <dt>Use case</dt>
            <dd className="whitespace-pre-wrap">{r.useCase}</dd>
            {r.decisionReason && (
              <>
                <dt>Reason</dt>
                <dd>{r.decisionReason}</dd>
              </>
            )}
          </dl>
          {r.status === "pending" && (
            <div className="mt-3 flex items-end gap-2">
              <label className="flex-1">
                <span className="text-xs font-medium text-slate-700">Reason (required to reject)</span>
                <input className={inputClasses()} value={reasons[r.id] ?? ""} onChange={(e) => setReasons((v) => ({ ...v, [r.id]: e.target.value }))} />
              </label>
              <Button disabled={decide.isPending} onClick={() => decide.mutate({ requestId: r.id, decision: "approve", reason: reasons[r.id] ?? "" })}>
                Approve
              </Button>
              <Button
                variant="secondary"
                disabled={decide.isPending}
                onClick={() => decide.mutate({ requestId: r.id, decision: "reject", reason: reasons[r.id] ?? "" })}
              >
                Reject
              </Button>
            </div>
          )}
        </article>
      ))}
    </div>
  );
}
