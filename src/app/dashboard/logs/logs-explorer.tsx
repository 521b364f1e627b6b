"use client";

import { useQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { useState } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Sheet } from "@/components/ui/dialog";
import { FilterBar } from "@/components/ui/filter-bar";
import { count, dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { LOG_METHODS, logFiltersFromParams, STATUS_CLASSES } from "@/lib/schemas/request-logs";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

type Row = RouterOutputs["logs"]["list"]["data"][number];

const statusTone = (status: number): BadgeTone => (status >= 500 ? "danger" : status >= 400 ? "warning" : "success");

function columns(locale: string, open: (row: Row) => void): ColumnDef<Row, unknown>[] {
  return [
    {
      id: "time",
      header: "Time",
      cell: ({ row }) => <span className="text-xs whitespace-nowrap text-slate-700">{dateTime(row.original.createdAt, locale)}</span>,
    },
    { id: "method", header: "Method", cell: ({ row }) => <span className="font-mono text-xs">{row.original.method}</span> },
    { id: "path", header: "Path", cell: ({ row }) => <span className="font-mono text-xs break-all">{row.original.path}</span> },
    { id: "status", header: "Status", cell: ({ row }) => <Badge tone={statusTone(row.original.status)}>{row.original.status}</Badge> },
    { id: "error", header: "Error code", cell: ({ row }) => <span className="font-mono text-xs">{row.original.errorCode ?? ""}</span> },
    {
      id: "key",
      header: "Key",
      cell: ({ row }) => <span className="font-mono text-xs whitespace-nowrap">{row.original.keyStart ? `${row.original.keyStart}…` : "—"}</span>,
    },
    { id: "duration", header: "Duration", meta: { className: "text-right tabular-nums whitespace-nowrap" }, cell: ({ row }) => `${row.original.latencyMs} ms` },
    {
      id: "details",
      header: () => <span className="sr-only">Details</span>,
      cell: ({ row }) => (
        <Button variant="ghost" size="sm" onClick={() => open(row.original)} aria-label={`Details of request ${row.original.requestId}`}>
          Details
        </Button>
      ),
    },
  ];
}

/** The details of one request: what the log keeps, never a secret. */
function RequestDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const detail = useQuery(trpc.logs.get.queryOptions({ id }));
  if (detail.isLoading) return <Skeleton className="h-40 w-full" />;
  if (detail.error) return <ErrorState message={detail.error.message} onRetry={() => detail.refetch()} />;
  const d = detail.data!;
  const rows: Array<[string, React.ReactNode]> = [
    [
      "Request id",
      <span key="r" className="font-mono text-xs">
        {d.requestId}
      </span>,
    ],
    ["Time", dateTime(d.createdAt, locale)],
    ["Request", <span key="m" className="font-mono text-xs break-all">{`${d.method} ${d.path}`}</span>],
    [
      "Status",
      <Badge key="s" tone={statusTone(d.status)}>
        {d.status}
      </Badge>,
    ],
    ["Error code", d.errorCode ?? "none"],
    ["Duration", `${d.latencyMs} ms`],
    ["Key", d.keyStart ? `${d.keyStart}…${d.key?.name ? ` (${d.key.name})` : ""}` : "none (not authenticated)"],
    [
      "IP address",
      <span key="ip" className="font-mono text-xs">
        {d.ip}
      </span>,
    ],
  ];
  return (
    <div className="space-y-4">
      <dl className="space-y-3 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-4 border-b border-slate-100 pb-2">
            <dt className="text-slate-600">{k}</dt>
            <dd className="text-right">{v}</dd>
          </div>
        ))}
      </dl>
      <p className="text-sm text-slate-600">Request and response bodies are not stored, so none can leak from here. Secrets are never logged.</p>
      {d.errorCode && (
        <Link href="/docs/errors#codes" className="text-sm font-medium text-brand-700 underline">
          What {d.errorCode} means (error codes in the docs)
        </Link>
      )}
    </div>
  );
}

/** The request logs explorer: filters and page in the URL, errors grouped by code, a detail drawer. */
export function LogsExplorer() {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [params, setParams] = useUrlParams();
  const filters = logFiltersFromParams(params);
  const list = useQuery(trpc.logs.list.queryOptions({ environment, ...filters, after: params.after || undefined, limit: 25 }));
  const errors = useQuery(trpc.logs.errorsByCode.queryOptions({ environment, ...filters }));
  const keys = useQuery(trpc.partner.keys.list.queryOptions({ environment }));
  const [opened, setOpened] = useState<Row | null>(null);
  const filtered = Object.values(filters).some(Boolean);

  return (
    <div className="space-y-4">
      <FilterBar
        fields={[
          { kind: "select", name: "statusClass", label: "Status class", className: "w-32", options: STATUS_CLASSES.map((c) => ({ value: c, label: c })) },
          { kind: "select", name: "method", label: "Method", className: "w-32", options: LOG_METHODS.map((m) => ({ value: m, label: m })) },
          {
            kind: "select",
            name: "keyId",
            label: "Key",
            className: "w-52",
            placeholder: "All keys",
            options: (keys.data ?? []).map((k) => ({ value: k.id, label: `${k.start}…${k.name ? ` ${k.name}` : ""}` })),
          },
          { kind: "text", name: "path", label: "Path contains", placeholder: "/api/v1/orders", className: "w-48" },
          { kind: "date", name: "from", label: "From", className: "w-36" },
          { kind: "date", name: "to", label: "To", className: "w-36" },
        ]}
        params={params}
        apply={setParams}
        label="Request log filters"
      />

      <section aria-labelledby="errors-by-code" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="errors-by-code" className="text-sm font-semibold text-slate-900">
          Errors by code{filtered ? " (filtered)" : ""}
        </h2>
        {errors.isLoading ? (
          <Skeleton className="mt-2 h-6 w-64" />
        ) : errors.data?.length ? (
          <ul className="mt-2 flex flex-wrap gap-2" data-testid="errors-by-code">
            {errors.data.map((e) => (
              <li key={`${e.errorCode}-${e.status}`}>
                <Badge tone={statusTone(e.status)}>
                  <span className="font-mono">{e.errorCode}</span> · {e.status} · {count(e.count, locale)}
                </Badge>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No errors in this range.</p>
        )}
      </section>

      <DataTable
        caption={`${environment} request logs`}
        columns={columns(locale, setOpened)}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(r) => `log-row-${r.id}`}
        empty={filtered ? "No request matches these filters." : `No ${environment} API requests yet.`}
      />
      <Sheet
        open={opened !== null}
        onOpenChange={(open) => !open && setOpened(null)}
        title={opened ? `${opened.method} ${opened.path}` : "Request"}
        description={opened ? `Request ${opened.requestId}` : undefined}
      >
        {opened && <RequestDetail id={opened.id} />}
      </Sheet>
    </div>
  );
}
