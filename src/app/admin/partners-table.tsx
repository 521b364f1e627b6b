"use client";

import { useQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { type FilterField, FilterBar } from "@/components/ui/filter-bar";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { RelativeTime } from "@/components/ui/relative-time";
import { DataTable } from "@/components/ui/data-table";
import { useUrlParams } from "@/components/ui/url-state";
import { ONBOARDING_STATES, PARTNER_STATUSES } from "@/lib/schemas/admin-partners";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { OnboardingBadge, PartnerStatusBadge } from "./partners/badges";

type Row = RouterOutputs["admin"]["partners"]["list"]["data"][number];

const FILTERS: readonly FilterField[] = [
  { kind: "text", name: "q", label: "Search", placeholder: "Name, email or id", search: true },
  { kind: "select", name: "status", label: "Status", options: PARTNER_STATUSES.map((s) => ({ value: s, label: s })), placeholder: "All statuses" },
  {
    kind: "select",
    name: "onboarding",
    label: "Onboarding",
    options: ONBOARDING_STATES.map((s) => ({ value: s, label: s.replace(/_/g, " ") })),
    placeholder: "All states",
    className: "w-44",
  },
];

function Balances({ row, environment, locale }: { row: Row; environment: "sandbox" | "live"; locale: string }) {
  const list = row.balances.filter((b) => b.environment === environment);
  if (list.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <ul className="space-y-0.5">
      {list.map((b) => (
        <li key={b.currency} className="whitespace-nowrap tabular-nums">
          {money(b.balance, b.currency, locale)}
        </li>
      ))}
    </ul>
  );
}

function lastActivityKind(row: Row): string {
  const at = row.lastActivityAt?.getTime();
  if (at === undefined) return "";
  if (row.lastOrderAt?.getTime() === at) return "order";
  if (row.lastRequestAt?.getTime() === at) return "API request";
  return "sign-in";
}

function columns(locale: string): ColumnDef<Row, unknown>[] {
  return [
    {
      id: "business",
      header: "Business",
      cell: ({ row }) => (
        <div className="min-w-40">
          <Link href={`/admin/partners/${row.original.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">
            {row.original.businessName}
          </Link>
          <div className="text-xs text-slate-600">{row.original.contactEmail}</div>
        </div>
      ),
    },
    { id: "status", header: "Status", cell: ({ row }) => <PartnerStatusBadge status={row.original.status} /> },
    { id: "onboarding", header: "Onboarding", cell: ({ row }) => <OnboardingBadge state={row.original.onboardingState} /> },
    {
      id: "sandbox",
      header: "Sandbox balance",
      meta: { className: "text-right" },
      cell: ({ row }) => <Balances row={row.original} environment="sandbox" locale={locale} />,
    },
    {
      id: "live",
      header: "Live balance",
      meta: { className: "text-right" },
      cell: ({ row }) => <Balances row={row.original} environment="live" locale={locale} />,
    },
    {
      id: "activity",
      header: "Last activity",
      cell: ({ row }) =>
        row.original.lastActivityAt ? (
          <span className="text-xs whitespace-nowrap text-slate-700">
            <RelativeTime value={row.original.lastActivityAt} /> · {lastActivityKind(row.original)}
          </span>
        ) : (
          <span className="text-xs text-slate-500">None yet</span>
        ),
    },
    {
      id: "joined",
      header: "Joined",
      cell: ({ row }) => (
        <span className="text-xs whitespace-nowrap text-slate-700">
          {dateTime(row.original.createdAt, locale)}
          {row.original.signupSource === "admin" && <span className="block text-slate-500">created by an admin</span>}
        </span>
      ),
    },
  ];
}

/** Every partner, newest first: search, filters and page in the URL; balances and activity from SQL. */
export function PartnersTable() {
  const trpc = useTRPC();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const status = PARTNER_STATUSES.find((s) => s === params.status);
  const onboarding = ONBOARDING_STATES.find((s) => s === params.onboarding);
  const list = useQuery(trpc.admin.partners.list.queryOptions({ q: params.q || undefined, status, onboarding, after: params.after || undefined, limit: 25 }));
  const filtered = Boolean(params.q || status || onboarding);
  return (
    <div className="space-y-4">
      <FilterBar fields={FILTERS} params={params} apply={setParams} label="Partner filters" />
      <DataTable
        caption="Partners"
        columns={columns(locale)}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(p) => `partner-row-${p.id}`}
        empty={filtered ? "No partner matches these filters." : "No partners yet. Create one by hand or wait for a signup."}
      />
    </div>
  );
}
