"use client";

import { useQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Sheet } from "@/components/ui/dialog";
import { type FilterField, FilterBar } from "@/components/ui/filter-bar";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { ENTRY_KIND_LABELS, ENTRY_KINDS, ledgerFiltersFromParams } from "@/lib/schemas/dashboard-wallet";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

type Row = RouterOutputs["wallet"]["transactions"]["data"][number];

const kindLabel = (kind: string) => ENTRY_KIND_LABELS[kind as keyof typeof ENTRY_KIND_LABELS] ?? kind;

function columns(locale: string, open: (row: Row) => void): ColumnDef<Row, unknown>[] {
  return [
    {
      id: "date",
      header: "Date",
      cell: ({ row }) => <span className="text-xs whitespace-nowrap text-slate-700">{dateTime(row.original.createdAt, locale)}</span>,
    },
    {
      id: "kind",
      header: "Kind",
      cell: ({ row }) => <Badge tone={row.original.amount.startsWith("-") ? "neutral" : "success"}>{kindLabel(row.original.kind)}</Badge>,
    },
    {
      id: "reference",
      header: "Reference",
      cell: ({ row }) =>
        row.original.orderId ? (
          <Link href={`/dashboard/orders/${row.original.orderId}`} className="font-mono text-xs text-brand-700 underline-offset-2 hover:underline">
            {row.original.orderId}
          </Link>
        ) : (
          <span className="font-mono text-xs">{row.original.reference ?? "—"}</span>
        ),
    },
    {
      id: "amount",
      header: "Amount",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => money(row.original.amount, row.original.currency, locale),
    },
    {
      id: "balance",
      header: "Balance after",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => money(row.original.balanceAfter, row.original.currency, locale),
    },
    {
      id: "details",
      header: () => <span className="sr-only">Details</span>,
      cell: ({ row }) => (
        <Button variant="ghost" size="sm" onClick={() => open(row.original)} aria-label={`Details of entry ${row.original.id}`}>
          Details
        </Button>
      ),
    },
  ];
}

const FILTERS: FilterField[] = [
  {
    kind: "select",
    name: "kind",
    label: "Kind",
    placeholder: "All kinds",
    className: "w-48",
    options: ENTRY_KINDS.map((k) => ({ value: k, label: ENTRY_KIND_LABELS[k] })),
  },
  { kind: "text", name: "reference", label: "Order id or reference", placeholder: "ord_…", className: "w-52" },
  { kind: "date", name: "from", label: "Entries from" },
  { kind: "date", name: "to", label: "Entries to" },
];

function EntryDetail({ entryId, onClose }: { entryId: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const entry = useQuery({ ...trpc.wallet.entry.queryOptions({ environment, entryId: entryId ?? "" }), enabled: entryId !== null });
  const e = entry.data;
  return (
    <Sheet open={entryId !== null} onOpenChange={(open) => !open && onClose()} title="Wallet entry" description={entryId ?? undefined}>
      {entry.error ? (
        <ErrorState message={entry.error.message} onRetry={() => entry.refetch()} />
      ) : !e ? (
        <Skeleton className="h-40" />
      ) : (
        <dl className="space-y-3 text-sm" data-testid="entry-detail">
          {[
            ["Kind", kindLabel(e.kind)],
            ["Date", dateTime(e.createdAt, locale)],
            ["Amount", money(e.amount, e.currency, locale)],
            ["Balance after", money(e.balanceAfter, e.currency, locale)],
            [
              "Transfer id",
              <span key="t" className="font-mono text-xs">
                {e.transferId}
              </span>,
            ],
            [
              "Reference",
              <span key="r" className="font-mono text-xs">
                {e.reference ?? "none"}
              </span>,
            ],
            [
              "Linked order",
              e.orderId ? (
                <Link key="o" href={`/dashboard/orders/${e.orderId}`} className="font-medium text-brand-700 underline">
                  Open order {e.orderId}
                </Link>
              ) : (
                "none"
              ),
            ],
            ...(e.topupRequestId
              ? [
                  [
                    "Top-up request",
                    <span key="q" className="font-mono text-xs">
                      {e.topupRequestId}
                    </span>,
                  ],
                ]
              : []),
          ].map(([k, v]) => (
            <div key={String(k)} className="flex justify-between gap-4 border-b border-slate-100 pb-2">
              <dt className="text-slate-600">{k}</dt>
              <dd className="text-right">{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </Sheet>
  );
}

/** The wallet's entries: filters, page and the open entry in the URL. */
export function Ledger({ currencies }: { currencies: string[] }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [params, setParams] = useUrlParams();
  const filters = ledgerFiltersFromParams(params);
  const currency = filters.currency ?? currencies[0] ?? "USD";
  const list = useQuery(trpc.wallet.transactions.queryOptions({ environment, ...filters, currency, after: params.after || undefined, limit: 25 }));
  const filtered = Boolean(filters.kind || filters.from || filters.to || filters.reference);

  return (
    <div className="space-y-4">
      <FilterBar
        fields={FILTERS}
        params={params}
        apply={setParams}
        label="Ledger filters"
        leading={
          currencies.length > 1 && (
            <div className="text-sm">
              <span className="block font-medium text-slate-800">Currency</span>
              <Select
                id="ledger-currency"
                label="Currency"
                className="mt-1 w-28"
                value={currency}
                onValueChange={(c) => setParams({ currency: c })}
                options={currencies.map((c) => ({ value: c, label: c }))}
              />
            </div>
          )
        }
      />
      <DataTable
        caption={`${environment} ${currency} wallet entries`}
        columns={columns(locale, (row) => setParams({ entry: row.id, after: params.after ?? "" }))}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(r) => `entry-row-${r.id}`}
        empty={filtered ? "No entry matches these filters." : `No movement in your ${environment} ${currency} wallet yet.`}
      />
      <EntryDetail entryId={params.entry || null} onClose={() => setParams({ entry: "", after: params.after ?? "" })} />
    </div>
  );
}
