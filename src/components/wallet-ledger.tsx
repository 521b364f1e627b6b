"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { type FilterField, FilterBar } from "@/components/ui/filter-bar";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { useUrlParams } from "@/components/ui/url-state";
import { ENTRY_KIND_LABELS, ENTRY_KINDS, ledgerFiltersFromParams } from "@/lib/schemas/dashboard-wallet";

/** One wallet entry as the ledgers show it (`listPartnerWalletEntries`). */
interface LedgerRow {
  id: string;
  kind: string;
  reference: string | null;
  amount: string;
  balanceAfter: string;
  currency: string;
  createdAt: Date;
  orderId: string | null;
}

export const entryKindLabel = (kind: string) => ENTRY_KIND_LABELS[kind as keyof typeof ENTRY_KIND_LABELS] ?? kind;

function columns<Row extends LedgerRow>(locale: string, orderHref: (orderId: string) => string, open?: (row: Row) => void): ColumnDef<Row, unknown>[] {
  return [
    {
      id: "date",
      header: "Date",
      cell: ({ row }) => <span className="text-xs whitespace-nowrap text-slate-700">{dateTime(row.original.createdAt, locale)}</span>,
    },
    {
      id: "kind",
      header: "Kind",
      cell: ({ row }) => <Badge tone={row.original.amount.startsWith("-") ? "neutral" : "success"}>{entryKindLabel(row.original.kind)}</Badge>,
    },
    {
      id: "reference",
      header: "Reference",
      cell: ({ row }) =>
        row.original.orderId ? (
          <Link href={orderHref(row.original.orderId)} className="font-mono text-xs text-brand-700 underline-offset-2 hover:underline">
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
    ...(open
      ? [
          {
            id: "details",
            header: () => <span className="sr-only">Details</span>,
            cell: ({ row }: { row: { original: Row } }) => (
              <Button variant="ghost" size="sm" onClick={() => open(row.original)} aria-label={`Details of entry ${row.original.id}`}>
                Details
              </Button>
            ),
          },
        ]
      : []),
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

/**
 * A wallet's entries with the ledger's filters (currency, kind, reference, days) in the URL: the
 * partner dashboard's ledger and the admin's ledger of a partner. The caller runs the query with
 * `ledgerFiltersFromParams(params)` and passes its state; `open` adds a details button per row,
 * `leading` puts controls before the filters.
 */
export function WalletLedgerTable<Row extends LedgerRow>({
  currencies,
  currency,
  list,
  caption,
  empty,
  orderHref,
  open,
  leading,
}: {
  currencies: string[];
  currency: string;
  list: { data?: { data: Row[]; nextCursor: string | null }; isLoading: boolean; error: { message: string } | null; refetch: () => unknown };
  caption: string;
  empty: { filtered: string; unfiltered: string };
  orderHref: (orderId: string) => string;
  open?: (row: Row) => void;
  leading?: React.ReactNode;
}) {
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const filters = ledgerFiltersFromParams(params);
  const filtered = Boolean(filters.kind || filters.from || filters.to || filters.reference);
  return (
    <>
      <FilterBar
        fields={FILTERS}
        params={params}
        apply={setParams}
        label="Ledger filters"
        leading={
          <>
            {leading}
            {currencies.length > 1 && (
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
            )}
          </>
        }
      />
      <DataTable
        caption={caption}
        columns={columns<Row>(locale, orderHref, open)}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(r) => `entry-row-${r.id}`}
        empty={filtered ? empty.filtered : empty.unfiltered}
      />
    </>
  );
}
