"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { useState } from "react";
import { toast } from "sonner";
import { StatusBadge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ConfirmDialog } from "@/components/ui/dialog";
import { inputClasses } from "@/components/ui/field";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { EmptyState } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useUrlParams } from "@/components/ui/url-state";
import { WalletLedgerTable } from "@/components/wallet-ledger";
import { ledgerFiltersFromParams } from "@/lib/schemas/dashboard-wallet";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { PartnerSelect } from "../partner-select";
import { MoveMoneyDialog, type MoveTarget } from "./move-money";

type BalanceRow = RouterOutputs["admin"]["wallets"]["balances"]["data"][number];
type TopupRow = RouterOutputs["admin"]["wallets"]["topups"][number];
const PAGE = 50;

function Balances({ openMove }: { openMove: (target: MoveTarget | null) => void }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const offset = Number(params.after ?? 0) || 0;
  const environment = params.env === "live" || params.env === "sandbox" ? params.env : undefined;
  const list = useQuery(trpc.admin.wallets.balances.queryOptions({ search: params.q || undefined, environment, limit: PAGE, offset }));
  const total = list.data?.total ?? 0;
  const columns: ColumnDef<BalanceRow, unknown>[] = [
    {
      id: "partner",
      header: "Partner",
      cell: ({ row }) => (
        <div>
          <div className="font-medium text-slate-900">{row.original.businessName}</div>
          <div className="font-mono text-xs text-slate-600">{row.original.partnerId}</div>
        </div>
      ),
    },
    { id: "status", header: "Status", cell: ({ row }) => <StatusBadge status={row.original.partnerStatus} /> },
    { id: "env", header: "Environment", cell: ({ row }) => row.original.environment ?? <span className="text-slate-600">No wallet yet</span> },
    {
      id: "balance",
      header: "Balance",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => (row.original.balance && row.original.currency ? money(row.original.balance, row.original.currency, locale) : "—"),
    },
    {
      id: "pending",
      header: "Pending top-ups",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => (row.original.currency ? money(row.original.pendingTopups, row.original.currency, locale) : "—"),
    },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) => {
        const r = row.original;
        const label = r.environment ? `${r.businessName} ${r.environment} ${r.currency}` : r.businessName;
        return (
          <div className="flex justify-end gap-2">
            <Button
              size="sm"
              variant="secondary"
              aria-label={`Credit or adjust ${label}`}
              onClick={() => openMove({ partnerId: r.partnerId, environment: r.environment ?? "live", currency: r.currency ?? "USD" })}
            >
              Credit or adjust
            </Button>
            {r.environment && (
              <ButtonLink
                size="sm"
                variant="ghost"
                href={`/admin/wallets?tab=ledger&partner=${r.partnerId}&environment=${r.environment}&currency=${r.currency}`}
                aria-label={`Ledger of ${label}`}
              >
                Ledger
              </ButtonLink>
            )}
          </div>
        );
      },
    },
  ];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <form
          key={params.q ?? ""}
          aria-label="Partner search"
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ q: String(new FormData(e.currentTarget).get("q") ?? "").trim() });
          }}
        >
          <label className="block text-sm">
            <span className="font-medium text-slate-800">Search partners</span>
            <input name="q" defaultValue={params.q} placeholder="Name or ptn_…" className={`${inputClasses()} mt-1 w-56`} />
          </label>
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        <div className="text-sm">
          <span className="block font-medium text-slate-800" aria-hidden>
            Environment
          </span>
          <Select
            id="balances-env"
            label="Environment"
            className="mt-1 w-36"
            value={params.env ?? ""}
            onValueChange={(v) => setParams({ env: v })}
            placeholder="Both"
            options={[
              { value: "live", label: "Live" },
              { value: "sandbox", label: "Sandbox" },
            ]}
          />
        </div>
        <Button className="ml-auto" onClick={() => openMove(null)}>
          Credit or adjust a wallet
        </Button>
      </div>
      <DataTable
        caption="Partner wallet balances"
        columns={columns}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={offset + PAGE < total ? String(offset + PAGE) : null}
        rowTestId={(r) => `balance-row-${r.partnerId}-${r.environment ?? "none"}-${r.currency ?? "none"}`}
        empty="No partner matches."
      />
    </div>
  );
}

function RejectTopup({ row, reject }: { row: TopupRow; reject: (reason: string) => Promise<unknown> }) {
  const [reason, setReason] = useState("");
  const id = `reject-reason-${row.id}`;
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="ghost" aria-label={`Reject top-up ${row.id}`}>
          Reject
        </Button>
      }
      title="Reject top-up request"
      consequence={
        <span>
          {row.businessName}&apos;s request for {row.currency} {row.amount} ({row.environment}) is rejected; nothing moves. The partner sees your reason.
          <label htmlFor={id} className="mt-3 block font-medium text-slate-800">
            Reason
          </label>
          <input id={id} className={`${inputClasses()} mt-1`} value={reason} onChange={(e) => setReason(e.target.value)} />
        </span>
      }
      confirmLabel="Reject request"
      danger
      onConfirm={() => reject(reason)}
    />
  );
}

function Topups() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const status = params.status === "approved" || params.status === "rejected" || params.status === "all" ? params.status : "pending";
  const list = useQuery(trpc.admin.wallets.topups.queryOptions({ status: status === "all" ? undefined : status }));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.admin.wallets.pathKey() });
  const approve = useMutation(trpc.admin.wallets.approveTopup.mutationOptions({ onSuccess: invalidate }));
  const reject = useMutation(trpc.admin.wallets.rejectTopup.mutationOptions({ onSuccess: invalidate }));
  const columns: ColumnDef<TopupRow, unknown>[] = [
    { id: "date", header: "Requested", cell: ({ row }) => <span className="text-xs whitespace-nowrap">{dateTime(row.original.createdAt, locale)}</span> },
    {
      id: "partner",
      header: "Partner",
      cell: ({ row }) => (
        <div>
          <div className="font-medium">{row.original.businessName}</div>
          <div className="text-xs text-slate-600">{row.original.requestedByLabel}</div>
        </div>
      ),
    },
    { id: "env", header: "Environment", cell: ({ row }) => row.original.environment },
    {
      id: "amount",
      header: "Amount",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => money(row.original.amount, row.original.currency, locale),
    },
    { id: "note", header: "Note", cell: ({ row }) => <span className="text-xs">{row.original.note ?? "—"}</span> },
    {
      id: "status",
      header: "Status",
      cell: ({ row }) => (
        <div>
          <StatusBadge status={row.original.status} />
          {row.original.decisionReason && <div className="mt-1 text-xs text-slate-600">{row.original.decisionReason}</div>}
        </div>
      ),
    },
    {
      id: "actions",
      header: () => <span className="sr-only">Decision</span>,
      cell: ({ row }) =>
        row.original.status !== "pending" ? null : (
          <div className="flex justify-end gap-1">
            <ConfirmDialog
              trigger={
                <Button size="sm" aria-label={`Approve top-up ${row.original.id}`}>
                  Approve
                </Button>
              }
              title="Approve top-up request"
              consequence={`${row.original.businessName}'s ${row.original.environment} ${row.original.currency} wallet is credited ${money(row.original.amount, row.original.currency, locale)} at once; the partner is emailed and notified by webhook.`}
              confirmLabel="Approve and credit"
              onConfirm={async () => {
                await approve.mutateAsync({ requestId: row.original.id });
                toast.success(`Top-up ${row.original.id} approved.`);
              }}
            />
            <RejectTopup
              row={row.original}
              reject={async (reason) => {
                await reject.mutateAsync({ requestId: row.original.id, reason });
                toast.success(`Top-up ${row.original.id} rejected.`);
              }}
            />
          </div>
        ),
    },
  ];
  return (
    <div className="space-y-4">
      <div className="text-sm">
        <span className="block font-medium text-slate-800" aria-hidden>
          Status
        </span>
        <Select
          id="topups-status"
          label="Status"
          className="mt-1 w-40"
          value={status}
          onValueChange={(v) => setParams({ status: v === "pending" ? "" : v })}
          options={[
            { value: "pending", label: "Pending" },
            { value: "approved", label: "Approved" },
            { value: "rejected", label: "Rejected" },
            { value: "all", label: "All" },
          ]}
        />
      </div>
      <DataTable
        caption="Top-up requests"
        columns={columns}
        rows={list.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={null}
        rowTestId={(r) => `topup-row-${r.id}`}
        empty={status === "pending" ? "No top-up request waiting." : "No top-up request."}
      />
    </div>
  );
}

function PartnerLedger() {
  const trpc = useTRPC();
  const [params, setParams] = useUrlParams();
  const partnerId = params.partner ?? "";
  const environment = params.environment === "sandbox" ? "sandbox" : "live";
  const filters = ledgerFiltersFromParams(params);
  const wallets = useQuery({ ...trpc.admin.wallets.balances.queryOptions({ search: partnerId, environment, limit: 200 }), enabled: partnerId !== "" });
  const currencies = [...new Set((wallets.data?.data ?? []).filter((r) => r.partnerId === partnerId && r.currency).map((r) => r.currency!))];
  const currency = filters.currency ?? currencies[0] ?? "USD";
  const list = useQuery({
    ...trpc.admin.wallets.ledger.queryOptions({ partnerId, environment, ...filters, currency, after: params.after || undefined, limit: 25 }),
    enabled: partnerId !== "",
  });
  const today = new Date().toISOString().slice(0, 10);
  const from = filters.from ?? `${today.slice(0, 8)}01`;
  const to = filters.to ?? today;
  const csv = `/admin/wallets/statement.csv?${new URLSearchParams({ partner: partnerId, environment, currency, from, to })}`;
  const leading = (
    <>
      <PartnerSelect id="ledger-partner" value={partnerId} onChange={(id) => setParams({ partner: id, currency: "" })} />
      <div className="text-sm">
        <span className="block font-medium text-slate-800" aria-hidden>
          Environment
        </span>
        <Select
          id="ledger-env"
          label="Environment"
          className="mt-1 w-32"
          value={environment}
          onValueChange={(v) => setParams({ environment: v, currency: "" })}
          options={[
            { value: "live", label: "Live" },
            { value: "sandbox", label: "Sandbox" },
          ]}
        />
      </div>
    </>
  );
  if (!partnerId) {
    return (
      <div className="space-y-4">
        {leading}
        <div className="rounded-lg border border-slate-200 bg-white">
          <EmptyState title="Choose a partner">Pick a partner to see its wallet entries and download its statement.</EmptyState>
        </div>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      <WalletLedgerTable
        currencies={currencies}
        currency={currency}
        list={{ ...list, isLoading: list.isLoading }}
        caption={`${partnerId} ${environment} ${currency} wallet entries`}
        empty={{ filtered: "No entry matches these filters.", unfiltered: `No movement in this ${environment} ${currency} wallet yet.` }}
        orderHref={(id) => `/admin/orders/${id}`}
        leading={leading}
      />
      <p className="text-sm">
        <a href={csv} download className="font-medium text-brand-700 underline">
          Download statement CSV
        </a>{" "}
        <span className="text-slate-600">
          ({environment} {currency}, {from} to {to}; the partner&apos;s own statement)
        </span>
      </p>
    </div>
  );
}

/** The wallets page: tab, filters and pages in the URL; money moves only through the confirmation dialogs. */
export function WalletsView() {
  const [params, setParams] = useUrlParams();
  const [move, setMove] = useState<{ open: boolean; target: MoveTarget | null }>({ open: false, target: null });
  const tab = params.tab === "topups" || params.tab === "ledger" ? params.tab : "balances";
  return (
    <>
      <Tabs value={tab} onValueChange={(t) => setParams({ tab: t === "balances" ? "" : t })}>
        <TabsList aria-label="Wallet views">
          <TabsTrigger value="balances">Balances</TabsTrigger>
          <TabsTrigger value="topups">Top-up requests</TabsTrigger>
          <TabsTrigger value="ledger">Ledger</TabsTrigger>
        </TabsList>
        <TabsContent value="balances" className="mt-4">
          <h2 className="sr-only">Balances</h2>
          <Balances openMove={(target) => setMove({ open: true, target })} />
        </TabsContent>
        <TabsContent value="topups" className="mt-4">
          <h2 className="sr-only">Top-up requests</h2>
          <Topups />
        </TabsContent>
        <TabsContent value="ledger" className="mt-4">
          <h2 className="sr-only">Ledger</h2>
          <PartnerLedger />
        </TabsContent>
      </Tabs>
      <MoveMoneyDialog open={move.open} onOpenChange={(open) => setMove((m) => ({ ...m, open }))} initial={move.target} />
    </>
  );
}
