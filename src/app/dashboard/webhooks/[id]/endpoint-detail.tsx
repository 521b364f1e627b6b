"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ArrowLeft, Pencil, RefreshCw, Send, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { BarSeriesChart } from "@/components/ui/chart";
import { cn } from "@/components/ui/cn";
import { ConfirmDialog } from "@/components/ui/dialog";
import { dateTime, day } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../../environment-context";
import { type CatalogEvent, EndpointForm } from "../endpoint-form";
import { EndpointStatusBadge, SecretOnce } from "../parts";
import { Deliveries } from "./deliveries";

/** One endpoint: status (and the disabled banner), actions, success rate, and its delivery log. */
export function EndpointDetail({ endpointId, catalog }: { endpointId: string; catalog: CatalogEvent[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const ref = { environment, endpointId };
  const endpoint = useQuery(trpc.webhooks.get.queryOptions(ref, { retry: false }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const update = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: () => void refresh() }));
  const rotate = useMutation(trpc.webhooks.rotateSecret.mutationOptions({ onSuccess: () => void refresh() }));
  const remove = useMutation(trpc.webhooks.delete.mutationOptions());
  const sendTest = useMutation(trpc.webhooks.sendTest.mutationOptions({ onSuccess: () => void refresh() }));
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  if (endpoint.error) {
    return (
      <div className="max-w-5xl space-y-6">
        <BackLink />
        <h1 className="text-2xl font-semibold">Webhook endpoint</h1>
        <ErrorState
          message={endpoint.error.data?.code === "NOT_FOUND" ? `No ${environment} endpoint ${endpointId} in this workspace.` : endpoint.error.message}
        />
      </div>
    );
  }
  if (!endpoint.data) {
    return (
      <div className="max-w-5xl space-y-6">
        <BackLink />
        <h1 className="text-2xl font-semibold">Webhook endpoint</h1>
        <Skeleton className="h-40" />
      </div>
    );
  }
  const e = endpoint.data;

  return (
    <div className="max-w-5xl space-y-6">
      <BackLink />
      <div>
        <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold">
          Webhook endpoint <EndpointStatusBadge status={e.status} />
        </h1>
        <p className="mt-1 font-mono text-sm break-all text-slate-700">{e.url}</p>
        {e.description && <p className="mt-1 text-sm text-slate-600">{e.description}</p>}
        <p className="mt-1 text-xs text-slate-600">
          {e.id} · events <span className="font-mono">{e.events.join(", ")}</span> · created {dateTime(e.createdAt, locale)}
        </p>
      </div>

      {e.status === "disabled" && (
        <div role="alert" className="flex flex-wrap items-start justify-between gap-4 rounded-lg border border-red-200 bg-red-50 p-4">
          <div className="flex gap-3">
            <AlertTriangle aria-hidden className="mt-0.5 size-5 text-red-600" />
            <div className="text-sm text-red-900">
              <p className="font-medium">We disabled this endpoint{e.disabledAt ? ` on ${dateTime(e.disabledAt, locale)}` : ""}.</p>
              <p className="mt-1">Reason: {e.disabledReason ?? "deliveries kept failing"}. Nothing is sent to it until you re-enable it.</p>
              <p className="mt-1">Fix the receiver, re-enable, then recover the failed deliveries below.</p>
            </div>
          </div>
          <Button
            onClick={() =>
              update.mutateAsync({ ...ref, enabled: true }).then(
                () => toast.success("Endpoint re-enabled."),
                (err: Error) => toast.error(err.message),
              )
            }
            disabled={update.isPending}
          >
            Re-enable endpoint
          </Button>
        </div>
      )}
      {e.status === "paused" && (
        <div role="status" className="flex flex-wrap items-center justify-between gap-4 rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
          <p>This endpoint is paused: no events are sent to it.</p>
          <Button variant="secondary" onClick={() => update.mutateAsync({ ...ref, enabled: true }).then(() => toast.success("Endpoint enabled."))}>
            Enable endpoint
          </Button>
        </div>
      )}

      {secret && <SecretOnce title="New signing secret" secret={secret} onDone={() => setSecret(null)} />}

      <div className="flex flex-wrap gap-2">
        <Button
          onClick={async () => {
            try {
              const r = await sendTest.mutateAsync(ref);
              toast.success(`Test event ${r.eventId} queued: its delivery appears below.`);
            } catch (err) {
              toast.error(err instanceof Error ? err.message : "Could not send the test event.");
            }
          }}
          disabled={sendTest.isPending || !e.enabled}
        >
          <Send aria-hidden className="size-4" /> Send test event
        </Button>
        <Button variant="secondary" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
          <Pencil aria-hidden className="size-4" /> Edit endpoint
        </Button>
        <ConfirmDialog
          title="Rotate the signing secret?"
          consequence={
            <>
              A new secret is shown once. For the next 24 hours every delivery carries two signatures, one with the new secret and one with the current one, so
              your receiver keeps verifying while you deploy the new secret; after that only the new secret signs. Rotating again within those 24 hours drops
              the older secret at once.
            </>
          }
          confirmLabel="Rotate secret"
          onConfirm={async () => {
            const r = await rotate.mutateAsync(ref);
            setSecret(r.secret);
          }}
          trigger={
            <Button variant="secondary">
              <RefreshCw aria-hidden className="size-4" /> Rotate signing secret
            </Button>
          }
        />
        <ConfirmDialog
          title="Delete this endpoint?"
          danger
          consequence={`Nothing more is sent to ${e.url}, including retries already scheduled. Its delivery log stays readable through the API. This cannot be undone.`}
          confirmLabel="Delete endpoint"
          onConfirm={async () => {
            await remove.mutateAsync(ref);
            toast.success("Endpoint deleted.");
            await refresh();
            router.push("/dashboard/webhooks");
          }}
          trigger={
            <Button variant="ghost" className="text-red-700 hover:bg-red-50 hover:text-red-800">
              <Trash2 aria-hidden className="size-4" /> Delete endpoint
            </Button>
          }
        />
      </div>
      {e.previousSecretExpiresAt && (
        <p className="text-sm text-slate-700">The previous signing secret also signs deliveries until {dateTime(e.previousSecretExpiresAt, locale)}.</p>
      )}

      {editing && (
        <section aria-labelledby="edit-h" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 id="edit-h" className="mb-4 text-base font-semibold">
            Edit endpoint
          </h2>
          <EndpointForm
            catalog={catalog}
            initial={{ url: e.url, description: e.description ?? "", events: e.events, enabled: e.enabled }}
            submitLabel="Save changes"
            onCancel={() => setEditing(false)}
            onSubmit={async (values) => {
              await update.mutateAsync({ ...ref, ...values });
              setEditing(false);
              toast.success("Endpoint saved.");
            }}
          />
        </section>
      )}

      <SuccessRate endpointId={endpointId} />
      <Deliveries endpointId={endpointId} enabled={e.enabled} catalog={catalog} />
    </div>
  );
}

function BackLink() {
  return (
    <Link href="/dashboard/webhooks" className="inline-flex items-center gap-1 text-sm font-medium text-brand-700 hover:text-brand-900">
      <ArrowLeft aria-hidden className="size-4" /> Webhooks
    </Link>
  );
}

/** Deliveries per day and their success rate (finished ones), over 7 or 30 days (`days` in the URL). */
function SuccessRate({ endpointId }: { endpointId: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [params, setParams] = useUrlParams();
  const days = params.days === "30" ? 30 : 7;
  const rate = useQuery(trpc.webhooks.successRate.queryOptions({ environment, endpointId, days }));
  const rows = rate.data?.map((r) => ({ ...r, percent: r.rate ?? 0 })) ?? [];
  const succeeded = rows.reduce((n, r) => n + r.succeeded, 0);
  const finished = rows.reduce((n, r) => n + r.succeeded + r.failed, 0);
  return (
    <section aria-labelledby="rate-h" className="rounded-lg border border-slate-200 bg-white p-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="rate-h" className="text-sm font-semibold">
            Success rate
          </h2>
          <p className="text-sm text-slate-700" data-testid="success-rate-summary">
            {finished === 0
              ? `No finished deliveries in the last ${days} days.`
              : `${Math.round((1000 * succeeded) / finished) / 10}% of ${finished} finished deliveries succeeded in the last ${days} days.`}
          </p>
        </div>
        <fieldset className="inline-flex gap-1 rounded-md bg-slate-100 p-1">
          <legend className="sr-only">Period</legend>
          {([7, 30] as const).map((n) => (
            <button
              key={n}
              type="button"
              aria-pressed={days === n}
              onClick={() => setParams({ days: n === 30 ? "30" : "" })}
              className={cn(
                "rounded px-3 py-1 text-sm font-medium text-slate-700 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-600",
                days === n && "bg-white text-slate-900 shadow-sm",
              )}
            >
              {n} days
            </button>
          ))}
        </fieldset>
      </div>
      <div className="mt-3">
        {rate.error ? (
          <ErrorState message={rate.error.message} />
        ) : !rate.data ? (
          <Skeleton className="h-52" />
        ) : (
          <BarSeriesChart
            data={rows}
            x="day"
            y="percent"
            label={`Delivery success rate per day, last ${days} days`}
            formatX={(v) => day(v, locale)}
            formatValue={(r) =>
              r.rate === null ? `no finished deliveries (${r.pending} pending)` : `${r.rate}% (${r.succeeded} of ${r.succeeded + r.failed} succeeded)`
            }
          />
        )}
      </div>
    </section>
  );
}
