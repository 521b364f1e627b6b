"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { Download } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Sheet } from "@/components/ui/dialog";
import { type FilterField, FilterBar } from "@/components/ui/filter-bar";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { useUrlParams } from "@/components/ui/url-state";
import { filtersFromParams, ORDER_STATUSES } from "@/lib/schemas/dashboard-orders";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

type Row = RouterOutputs["dashboard"]["orders"]["list"]["data"][number];

function columns(locale: string, preview: (row: Row) => void): ColumnDef<Row, unknown>[] {
  return [
    {
      id: "created",
      header: "Created",
      enableSorting: true,
      cell: ({ row }) => <span className="text-xs whitespace-nowrap text-slate-700">{dateTime(row.original.createdAt, locale)}</span>,
    },
    {
      id: "id",
      header: "Order",
      cell: ({ row }) => (
        <Link href={`/dashboard/orders/${row.original.id}`} className="font-mono text-xs text-brand-700 underline-offset-2 hover:underline">
          {row.original.id}
        </Link>
      ),
    },
    { id: "reference", header: "Reference", cell: ({ row }) => row.original.referenceId },
    {
      id: "product",
      header: "Product",
      cell: ({ row }) => (
        <span className="whitespace-nowrap">
          <span className="font-mono text-xs">{row.original.sku}</span> · {money(row.original.faceValue, row.original.faceCurrency, locale)}
        </span>
      ),
    },
    {
      id: "cards",
      header: "Cards",
      meta: { className: "text-right tabular-nums" },
      cell: ({ row }) => `${row.original.cardsDelivered}/${row.original.quantity}`,
    },
    {
      id: "total",
      header: "Total",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => money(row.original.totalPrice, row.original.currency, locale),
    },
    { id: "status", header: "Status", cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    {
      id: "preview",
      header: () => <span className="sr-only">Preview</span>,
      cell: ({ row }) => (
        <Button variant="ghost" size="sm" onClick={() => preview(row.original)} aria-label={`Preview order ${row.original.referenceId}`}>
          Preview
        </Button>
      ),
    },
  ];
}

const FILTERS: FilterField[] = [
  { kind: "text", name: "q", label: "Search", placeholder: "Order id, reference or product", search: true },
  { kind: "text", name: "referenceId", label: "Reference id", className: "w-36" },
  { kind: "text", name: "sku", label: "Product", placeholder: "BAM-…", className: "w-36" },
  { kind: "date", name: "from", label: "From", className: "w-36" },
  { kind: "date", name: "to", label: "To", className: "w-36" },
  { kind: "select", name: "status", label: "Status", placeholder: "All statuses", options: ORDER_STATUSES.map((s) => ({ value: s, label: s })) },
];

/** The orders list: filters, sorting and page in the URL; CSV of the filtered set. */
export function OrdersList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [params, setParams] = useUrlParams();
  const filters = filtersFromParams(params);
  const list = useQuery(trpc.dashboard.orders.list.queryOptions({ environment, ...filters, after: params.after || undefined, limit: 25 }));
  const [exporting, setExporting] = useState(false);
  const [previewed, setPreviewed] = useState<Row | null>(null);
  const filtered = Object.values(filters).some(Boolean);

  async function exportCsv() {
    setExporting(true);
    try {
      const { csv, rows, truncated } = await queryClient.fetchQuery(trpc.dashboard.orders.exportCsv.queryOptions({ environment, ...filters }));
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `orders-${environment}-${new Date().toISOString().slice(0, 10)}.csv`;
      a.click();
      URL.revokeObjectURL(url);
      toast.success(`Exported ${rows} order${rows === 1 ? "" : "s"}${truncated ? " (the first 10,000: narrow the filters for the rest)" : ""}.`);
    } catch (e) {
      toast.error(e instanceof Error ? e.message : "The export failed.");
    } finally {
      setExporting(false);
    }
  }

  return (
    <div className="space-y-4">
      <FilterBar
        fields={FILTERS}
        params={params}
        apply={setParams}
        label="Order filters"
        actions={
          <Button variant="secondary" onClick={exportCsv} disabled={exporting}>
            <Download aria-hidden className="size-4" /> {exporting ? "Exporting…" : "Export CSV"}
          </Button>
        }
      />
      <DataTable
        caption={`${environment} orders`}
        columns={columns(locale, setPreviewed)}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(o) => `order-row-${o.referenceId}`}
        empty={filtered ? "No order matches these filters." : `No ${environment} orders yet. Create one with POST /api/v1/orders.`}
      />
      <Sheet
        open={previewed !== null}
        onOpenChange={(open) => !open && setPreviewed(null)}
        title={previewed ? `Order ${previewed.referenceId}` : "Order"}
        description={previewed?.id}
      >
        {previewed && (
          <dl className="space-y-3 text-sm">
            {[
              ["Status", <StatusBadge key="s" status={previewed.status} />],
              ["Created", dateTime(previewed.createdAt, locale)],
              ["Product", `${previewed.sku} · ${money(previewed.faceValue, previewed.faceCurrency, locale)}`],
              ["Cards", `${previewed.cardsDelivered} of ${previewed.quantity}`],
              ["Total", money(previewed.totalPrice, previewed.currency, locale)],
              ["Failure", previewed.failure ? `${previewed.failure.code}: ${previewed.failure.message ?? ""}` : "none"],
            ].map(([k, v]) => (
              <div key={String(k)} className="flex justify-between gap-4 border-b border-slate-100 pb-2">
                <dt className="text-slate-600">{k}</dt>
                <dd className="text-right">{v}</dd>
              </div>
            ))}
          </dl>
        )}
        {previewed && (
          <Link href={`/dashboard/orders/${previewed.id}`} className="mt-6 inline-block text-sm font-medium text-brand-700 underline">
            Open the order and its timeline
          </Link>
        )}
      </Sheet>
    </div>
  );
}
