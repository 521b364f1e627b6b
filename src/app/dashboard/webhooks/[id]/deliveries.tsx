"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { RotateCcw } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { CodeBlock } from "@/components/ui/code-block";
import { DataTable } from "@/components/ui/data-table";
import { ConfirmDialog, Sheet } from "@/components/ui/dialog";
import { dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { FilterBar } from "@/components/ui/filter-bar";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { DELIVERY_STATUSES } from "@/lib/schemas/dashboard-webhooks";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { useEnvironment } from "../../environment-context";
import { type CatalogEvent, smallInput } from "../endpoint-form";
import { DeliveryStatusBadge } from "../parts";

type Row = RouterOutputs["webhooks"]["deliveries"]["data"][number];

function columns(locale: string, open: (id: string) => void): ColumnDef<Row, unknown>[] {
  return [
    {
      id: "time",
      header: "Time",
      cell: ({ row }) => <span className="text-xs whitespace-nowrap text-slate-700">{dateTime(row.original.createdAt, locale)}</span>,
    },
    { id: "event", header: "Event", cell: ({ row }) => <span className="font-mono text-xs">{row.original.eventType}</span> },
    { id: "status", header: "Status", cell: ({ row }) => <DeliveryStatusBadge status={row.original.status} /> },
    {
      id: "code",
      header: "Response",
      meta: { className: "tabular-nums" },
      cell: ({ row }) => row.original.lastResponseStatusCode ?? <span className="text-slate-600">{row.original.lastError ? "no answer" : "—"}</span>,
    },
    {
      id: "duration",
      header: "Duration",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => (row.original.lastDurationMs === null ? "—" : `${row.original.lastDurationMs} ms`),
    },
    { id: "attempts", header: "Attempts", meta: { className: "text-right tabular-nums" }, cell: ({ row }) => row.original.attempts },
    {
      id: "open",
      header: () => <span className="sr-only">Details</span>,
      cell: ({ row }) => (
        <Button variant="ghost" size="sm" onClick={() => open(row.original.id)} aria-label={`Details of delivery ${row.original.id}`}>
          Details
        </Button>
      ),
    },
  ];
}

/** The endpoint's delivery log: status and event filters and the cursor in the URL, a detail drawer, replay, recover. */
export function Deliveries({ endpointId, enabled, catalog }: { endpointId: string; enabled: boolean; catalog: CatalogEvent[] }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [params, setParams] = useUrlParams();
  const status = (DELIVERY_STATUSES as readonly string[]).includes(params.status ?? "") ? (params.status as Row["status"]) : undefined;
  const eventType = catalog.some((e) => e.type === params.event) ? params.event : undefined;
  const list = useQuery(
    trpc.webhooks.deliveries.queryOptions(
      { environment, endpointId, status, eventType, after: params.after || undefined, limit: 25 },
      // While a delivery is still on its way, follow it.
      { refetchInterval: (q) => (q.state.data?.data.some((d) => d.status === "pending") ? 1500 : false) },
    ),
  );
  const [opened, setOpened] = useState<string | null>(null);
  const filtered = Boolean(status || eventType);
  const queryClient = useQueryClient();
  // Each time the log is read again (a delivery finished, a test sent), the success rate follows.
  const updatedAt = list.dataUpdatedAt;
  useEffect(() => {
    if (updatedAt) void queryClient.invalidateQueries({ queryKey: trpc.webhooks.successRate.queryKey() });
  }, [updatedAt, queryClient, trpc]);

  return (
    <section aria-labelledby="deliveries-h" className="space-y-4">
      <h2 id="deliveries-h" className="text-lg font-semibold">
        Delivery attempts
      </h2>
      <FilterBar
        fields={[
          { kind: "select", name: "status", label: "Status", placeholder: "All statuses", options: DELIVERY_STATUSES.map((s) => ({ value: s, label: s })) },
          {
            kind: "select",
            name: "event",
            label: "Event",
            placeholder: "All events",
            className: "w-48",
            options: catalog.map((e) => ({ value: e.type, label: e.type })),
          },
        ]}
        params={params}
        apply={setParams}
        label="Delivery filters"
        actions={<Recover endpointId={endpointId} enabled={enabled} />}
      />
      <DataTable
        caption="Delivery attempts of this endpoint"
        columns={columns(locale, setOpened)}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(d) => `delivery-row-${d.id}`}
        empty={filtered ? "No delivery matches these filters." : "No deliveries yet. Send a test event to see one."}
      />
      <DeliveryDrawer deliveryId={opened} onClose={() => setOpened(null)} />
    </section>
  );
}

/** "datetime-local" value (UTC) of a moment. */
const utcInput = (d: Date) => d.toISOString().slice(0, 16);

/** Re-send every failed delivery since a time: the confirm dialog says how many, from the same query. */
function Recover({ endpointId, enabled }: { endpointId: string; enabled: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const { environment } = useEnvironment();
  // Set after mounting: the default (24 h ago) depends on the clock, which server and browser do not share.
  const [since, setSince] = useState("");
  useEffect(() => setSince(utcInput(new Date(Date.now() - 24 * 3600_000))), []);
  const sinceDate = since ? new Date(`${since}:00Z`) : null;
  const valid = sinceDate !== null && !Number.isNaN(sinceDate.getTime());
  const preview = useQuery(
    trpc.webhooks.recoverPreview.queryOptions({ environment, endpointId, since: valid ? sinceDate : new Date(0) }, { enabled: valid, retry: false }),
  );
  const recover = useMutation(trpc.webhooks.recover.mutationOptions());
  const count = preview.data?.count;
  return (
    <div className="ml-auto flex items-end gap-2">
      <label className="block text-sm">
        <span className="font-medium text-slate-800">Failed since (UTC)</span>
        <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} className={smallInput} />
      </label>
      <ConfirmDialog
        title="Recover failed deliveries?"
        consequence={
          preview.error
            ? preview.error.message
            : count === undefined || preview.isFetching
              ? "Counting the failed deliveries…"
              : count === 0
                ? `No delivery to this endpoint has failed since ${valid ? dateTime(sinceDate, locale) : "then"} without being re-sent: nothing will be sent.`
                : `${count}${preview.data?.hasMore ? "+" : ""} failed deliver${count === 1 ? "y" : "ies"} since ${dateTime(sinceDate!, locale)} will be sent again now, each as a new delivery with the same webhook-id. Events already re-sent and still pending, or delivered, are not sent twice.${enabled ? "" : " The endpoint is not enabled: enable it first."}`
        }
        confirmLabel={count && !preview.isFetching ? `Re-send ${count} deliver${count === 1 ? "y" : "ies"}` : "Re-send"}
        onConfirm={async () => {
          if (!valid) throw new Error("Choose a time.");
          const r = await recover.mutateAsync({ environment, endpointId, since: sinceDate });
          toast.success(r.count === 0 ? "Nothing to recover." : `${r.count} deliver${r.count === 1 ? "y" : "ies"} queued again.`);
          await queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
        }}
        trigger={
          // Counted again as the dialog opens: deliveries may have failed since the page loaded.
          <Button variant="secondary" disabled={!valid} onClick={() => void preview.refetch()}>
            <RotateCcw aria-hidden className="size-4" /> Recover failed deliveries
          </Button>
        }
      />
    </div>
  );
}

function HeaderList({ headers, label }: { headers: Record<string, string>; label: string }) {
  return (
    <figure aria-label={label}>
      <dl className="space-y-1 rounded-md bg-slate-50 p-3 font-mono text-xs">
        {Object.entries(headers).map(([k, v]) => (
          <div key={k} className="flex gap-2">
            <dt className="shrink-0 text-slate-600">{k}:</dt>
            <dd className="break-all text-slate-900">{v}</dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}

/** One delivery: the request (headers and body as sent) and each attempt's answer; replay behind a confirmation. */
function DeliveryDrawer({ deliveryId, onClose }: { deliveryId: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const detail = useQuery(trpc.webhooks.delivery.queryOptions({ environment, deliveryId: deliveryId ?? "" }, { enabled: deliveryId !== null }));
  const replay = useMutation(trpc.webhooks.replay.mutationOptions());
  const d = detail.data;
  const last = d?.attemptLog.at(-1);
  const pretty = (body: string) => {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  };
  return (
    <Sheet
      open={deliveryId !== null}
      onOpenChange={(o) => !o && onClose()}
      title={`Delivery ${deliveryId ?? ""}`}
      description={d ? `${d.eventType} · ${d.status}` : undefined}
    >
      {detail.error ? (
        <ErrorState message={detail.error.message} />
      ) : !d ? (
        <Skeleton className="h-64" />
      ) : (
        <div className="space-y-6 text-sm">
          <dl className="space-y-2">
            {[
              ["Status", <DeliveryStatusBadge key="s" status={d.status} />],
              ["Event", <span key="e" className="font-mono text-xs">{`${d.eventType} (${d.eventId})`}</span>],
              ["Created", dateTime(d.createdAt, locale)],
              ["Attempts", String(d.attempts)],
              ["Next attempt", d.nextAttemptAt ? dateTime(d.nextAttemptAt, locale) : "none"],
              ["Replay of", d.replayOf ?? "—"],
            ].map(([k, v]) => (
              <div key={String(k)} className="flex justify-between gap-4 border-b border-slate-100 pb-2">
                <dt className="text-slate-600">{k}</dt>
                <dd className="text-right">{v}</dd>
              </div>
            ))}
          </dl>

          <section aria-labelledby="request-h" className="space-y-2">
            <h3 id="request-h" className="font-semibold">
              Request
            </h3>
            <p className="font-mono text-xs break-all">POST {d.url}</p>
            {last?.requestHeaders ? (
              <HeaderList label="Request headers" headers={{ ...last.requestHeaders, "content-type": "application/json" }} />
            ) : (
              <p className="text-slate-600">Not attempted yet: the headers (webhook-id, webhook-timestamp, webhook-signature) are made at each attempt.</p>
            )}
            <CodeBlock title="Request body" code={pretty(d.body)} />
          </section>

          <section aria-labelledby="response-h" className="space-y-3">
            <h3 id="response-h" className="font-semibold">
              Responses
            </h3>
            {d.attemptLog.length === 0 && <p className="text-slate-600">No attempt yet.</p>}
            {d.attemptLog.map((a) => (
              <div key={a.attempt} className="space-y-2 rounded-md border border-slate-200 p-3" data-testid={`attempt-${a.attempt}`}>
                <p className="font-medium">
                  Attempt {a.attempt} · {dateTime(a.at, locale)} · {a.statusCode === null ? "no answer" : `HTTP ${a.statusCode}`} · {a.durationMs} ms
                </p>
                {a.error && <p className="text-red-700">{a.error}</p>}
                {a.responseHeaders && <HeaderList label={`Response headers of attempt ${a.attempt}`} headers={a.responseHeaders} />}
                {a.responseBody ? (
                  <CodeBlock title={`Response body of attempt ${a.attempt} (first 2 KB)`} code={a.responseBody} />
                ) : (
                  a.statusCode !== null && <p className="text-slate-600">Empty response body.</p>
                )}
              </div>
            ))}
          </section>

          <ConfirmDialog
            title="Replay this delivery?"
            consequence={`The ${d.eventType} event is sent again to ${d.url} now, as a new delivery with the same webhook-id (${d.eventId}) and a fresh signature. Receivers that deduplicate on webhook-id ignore it if they already processed it.`}
            confirmLabel="Replay delivery"
            onConfirm={async () => {
              const r = await replay.mutateAsync({ environment, deliveryId: d.id });
              toast.success(`Replay ${r.id} queued.`);
              await queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
            }}
            trigger={
              <Button variant="secondary">
                <RotateCcw aria-hidden className="size-4" /> Replay delivery
              </Button>
            }
          />
        </div>
      )}
    </Sheet>
  );
}
