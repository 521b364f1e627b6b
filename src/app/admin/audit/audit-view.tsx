"use client";

import { useQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { Download } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { buttonClasses, Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Sheet } from "@/components/ui/dialog";
import { type FilterField, FilterBar } from "@/components/ui/filter-bar";
import { dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useUrlParams } from "@/components/ui/url-state";
import { auditFiltersFromParams } from "@/lib/schemas/audit";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { AdminTokens } from "./admin-tokens";
import { BeforeAfter } from "./before-after";

type Row = RouterOutputs["admin"]["audit"]["list"]["data"][number];

const actorLabel = (r: Pick<Row, "actorEmail" | "actor">) => r.actorEmail ?? r.actor;

function columns(locale: string, open: (row: Row) => void): ColumnDef<Row, unknown>[] {
  return [
    { id: "time", header: "Time", cell: ({ row }) => <span className="text-xs whitespace-nowrap text-slate-700">{dateTime(row.original.at, locale)}</span> },
    { id: "actor", header: "Actor", cell: ({ row }) => <span className="text-xs whitespace-nowrap">{actorLabel(row.original)}</span> },
    { id: "action", header: "Action", cell: ({ row }) => <Badge tone="neutral">{row.original.action}</Badge> },
    {
      id: "partner",
      header: "Partner",
      cell: ({ row }) => <span className="text-xs">{row.original.partnerName ?? row.original.partnerId ?? "—"}</span>,
    },
    {
      id: "target",
      header: "Target",
      cell: ({ row }) => (
        <span className="font-mono text-xs break-all">{row.original.targetId ? `${row.original.targetType ?? ""} ${row.original.targetId}`.trim() : "—"}</span>
      ),
    },
    { id: "reason", header: "Reason", cell: ({ row }) => <span className="line-clamp-2 text-xs">{row.original.reason ?? ""}</span> },
    { id: "ip", header: "IP", cell: ({ row }) => <span className="font-mono text-xs">{row.original.ip ?? "—"}</span> },
    {
      id: "details",
      header: () => <span className="sr-only">Details</span>,
      cell: ({ row }) => (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => open(row.original)}
          aria-label={`Details of ${row.original.action} at ${dateTime(row.original.at, locale)}`}
        >
          Details
        </Button>
      ),
    },
  ];
}

/** One entry in full: who, when, where from, why, and the target before and after. */
function EntryDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const entry = useQuery(trpc.admin.audit.get.queryOptions({ id }));
  if (entry.isLoading) return <Skeleton className="h-40 w-full" />;
  if (entry.error) return <ErrorState message={entry.error.message} onRetry={() => entry.refetch()} />;
  const e = entry.data!;
  const rows: Array<[string, React.ReactNode]> = [
    ["Time", dateTime(e.at, locale)],
    ["Actor", `${actorLabel(e)}${e.actorName ? ` (${e.actorName})` : ""} · ${e.actorType}`],
    [
      "Action",
      <span key="a" className="font-mono text-xs">
        {e.action}
      </span>,
    ],
    ["Partner", e.partnerName ? `${e.partnerName} (${e.partnerId})` : (e.partnerId ?? "—")],
    ["Target", e.targetId ? `${e.targetType ?? ""} ${e.targetId}`.trim() : "—"],
    ["Reason", e.reason ?? "—"],
    [
      "IP address",
      <span key="ip" className="font-mono text-xs">
        {e.ip ?? "— (system)"}
      </span>,
    ],
    [
      "Entry id",
      <span key="id" className="font-mono text-xs">
        {e.id}
      </span>,
    ],
  ];
  return (
    <div className="space-y-6">
      <dl className="space-y-3 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-4 border-b border-slate-100 pb-2">
            <dt className="text-slate-600">{k}</dt>
            <dd className="text-right break-all">{v}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="before-after-title">
        <h3 id="before-after-title" className="text-sm font-semibold text-slate-900">
          Before and after
        </h3>
        <BeforeAfter before={e.before} after={e.after} />
      </section>
      {e.metadata && Object.keys(e.metadata).length > 0 && (
        <section aria-labelledby="metadata-title">
          <h3 id="metadata-title" className="text-sm font-semibold text-slate-900">
            Details recorded
          </h3>
          <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs text-slate-800">{JSON.stringify(e.metadata, null, 2)}</pre>
        </section>
      )}
    </div>
  );
}

function AuditEntries() {
  const trpc = useTRPC();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const filters = auditFiltersFromParams(params);
  const list = useQuery(trpc.admin.audit.list.queryOptions({ ...filters, after: params.after || undefined, limit: 25 }));
  const actions = useQuery(trpc.admin.audit.actions.queryOptions());
  const [opened, setOpened] = useState<Row | null>(null);
  const filtered = Object.values(filters).some(Boolean);
  const fields: FilterField[] = [
    {
      kind: "select",
      name: "action",
      label: "Action",
      options: (actions.data ?? []).map((a) => ({ value: a, label: a })),
      placeholder: "All actions",
      className: "w-56",
    },
    { kind: "text", name: "actor", label: "Actor", placeholder: "email, usr_…, system:…", className: "w-52" },
    { kind: "text", name: "partnerId", label: "Partner id", placeholder: "ptn_…", className: "w-44" },
    { kind: "text", name: "targetId", label: "Target id", placeholder: "ord_…, top_…", className: "w-44" },
    { kind: "date", name: "from", label: "From" },
    { kind: "date", name: "to", label: "To" },
  ];
  const exportQuery = new URLSearchParams({ format: "csv" });
  for (const [k, v] of Object.entries(filters)) if (v) exportQuery.set(k, v);
  return (
    <div className="space-y-4">
      <FilterBar
        label="Audit log filters"
        fields={fields}
        params={params}
        apply={setParams}
        actions={
          <a href={`/api/admin/audit-log?${exportQuery}`} className={buttonClasses({ variant: "secondary" })} download>
            <Download aria-hidden className="size-4" />
            Export CSV
          </a>
        }
      />
      <DataTable
        caption="Audit log entries, newest first"
        columns={columns(locale, setOpened)}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(r) => `audit-row-${r.id}`}
        empty={filtered ? "No audit entry matches these filters." : "Nothing recorded yet."}
      />
      <Sheet
        open={opened !== null}
        onOpenChange={(open) => !open && setOpened(null)}
        title={opened ? opened.action : "Audit entry"}
        description={opened ? `${actorLabel(opened)} · ${dateTime(opened.at, locale)}` : undefined}
      >
        {opened && <EntryDetail id={opened.id} />}
      </Sheet>
    </div>
  );
}

/** The audit page: entries (filters, table, drawer, export) and the admin API tokens, one tab each (the tab is in the URL). */
export function AuditView() {
  const [params, setParams] = useUrlParams();
  const tab = params.tab === "tokens" ? "tokens" : "entries";
  return (
    <Tabs value={tab} onValueChange={(v) => setParams(v === "tokens" ? { tab: "tokens" } : { tab: "" })}>
      <TabsList aria-label="Audit log sections">
        <TabsTrigger value="entries">Entries</TabsTrigger>
        <TabsTrigger value="tokens">API tokens</TabsTrigger>
      </TabsList>
      <TabsContent value="entries" className="mt-4">
        <AuditEntries />
      </TabsContent>
      <TabsContent value="tokens" className="mt-4">
        <AdminTokens />
      </TabsContent>
    </Tabs>
  );
}
