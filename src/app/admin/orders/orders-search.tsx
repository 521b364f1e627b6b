"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { History } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { toast } from "sonner";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { type FilterField, FilterBar } from "@/components/ui/filter-bar";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { useUrlParams } from "@/components/ui/url-state";
import { type RouterOutputs, useTRPC } from "@/trpc/react";

type Row = RouterOutputs["admin"]["orders"]["search"]["data"][number];
const STATUSES = ["pending", "processing", "completed", "failed"] as const;

function columns(locale: string): ColumnDef<Row, unknown>[] {
  return [
    {
      id: "created",
      header: "Created",
      cell: ({ row }) => <span className="text-xs whitespace-nowrap text-slate-700">{dateTime(row.original.createdAt, locale)}</span>,
    },
    {
      id: "id",
      header: "Order",
      cell: ({ row }) => (
        <Link href={`/admin/orders/${row.original.id}`} className="font-mono text-xs text-brand-700 underline-offset-2 hover:underline">
          {row.original.id}
        </Link>
      ),
    },
    { id: "status", header: "Status", cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    {
      id: "partner",
      header: "Partner",
      cell: ({ row }) => (
        <Link href={`/admin/orders?partner=${encodeURIComponent(row.original.partnerId)}`} className="text-slate-900 underline-offset-2 hover:underline">
          {row.original.partnerName}
        </Link>
      ),
    },
    {
      id: "environment",
      header: "Env",
      cell: ({ row }) => <Badge tone={row.original.environment === "live" ? "success" : "neutral"}>{row.original.environment}</Badge>,
    },
    { id: "reference", header: "Reference", cell: ({ row }) => <span className="break-all">{row.original.referenceId}</span> },
    {
      id: "product",
      header: "Product",
      cell: ({ row }) => (
        <span className="whitespace-nowrap">
          <span className="font-mono text-xs">{row.original.sku}</span> · {money(row.original.faceValue, row.original.faceCurrency, locale)} ×{" "}
          {row.original.quantity}
        </span>
      ),
    },
    {
      id: "total",
      header: "Total",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => money(row.original.totalPrice, row.original.currency, locale),
    },
  ];
}

const FILTERS: FilterField[] = [
  { kind: "text", name: "q", label: "Search orders", placeholder: "Order id, reference or product", search: true },
  { kind: "text", name: "partner", label: "Partner", placeholder: "Partner id or name", className: "w-44" },
  { kind: "date", name: "from", label: "Created from", className: "w-36" },
  { kind: "date", name: "to", label: "Created to", className: "w-36" },
  { kind: "select", name: "status", label: "Status", placeholder: "Any status", options: STATUSES.map((s) => ({ value: s, label: s })) },
  {
    kind: "select",
    name: "environment",
    label: "Environment",
    placeholder: "Both",
    options: [
      { value: "sandbox", label: "sandbox" },
      { value: "live", label: "live" },
    ],
  },
];

/** A date input's day as the start of that day (UTC), and "to" as its end: the range the admin means. */
const dayStart = (d: string) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T00:00:00.000Z`) : undefined);
const dayEnd = (d: string) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T23:59:59.999Z`) : undefined);

/** Orders across partners: filters and cursor in the URL; the backfill by date range. */
export function AdminOrdersSearch() {
  const trpc = useTRPC();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const status = STATUSES.find((s) => s === params.status);
  const environment = params.environment === "live" || params.environment === "sandbox" ? params.environment : undefined;
  const list = useQuery(
    trpc.admin.orders.search.queryOptions({
      q: params.q || undefined,
      partner: params.partner || undefined,
      status,
      environment,
      from: params.from ? dayStart(params.from) : undefined,
      to: params.to ? dayEnd(params.to) : undefined,
      cursor: params.after || undefined,
      limit: 25,
    }),
  );
  const filtered = FILTERS.some((f) => Boolean(params[f.name]));
  return (
    <div className="space-y-4">
      <FilterBar fields={FILTERS} params={params} apply={setParams} label="Order filters" actions={<BackfillDialog />} />
      <DataTable
        caption="Orders of every partner"
        columns={columns(locale)}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={list.data?.nextCursor}
        rowTestId={(o) => `admin-order-row-${o.id}`}
        empty={filtered ? "No order matches these filters." : "No orders yet."}
      />
    </div>
  );
}

/** Re-drives the stuck orders created in a date range (the backfill job's logic), with a reason for the audit log. */
function BackfillDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const today = new Date().toISOString().slice(0, 10);
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [minutes, setMinutes] = useState("30");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [error, setError] = useState<string | null>(null);
  const backfill = useMutation(trpc.admin.orders.backfill.mutationOptions());

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const next: Record<string, string | undefined> = {};
    const start = dayStart(from);
    const end = dayEnd(to);
    if (!start) next.from = "Choose the first day.";
    if (!end) next.to = "Choose the last day.";
    if (start && end && end <= start) next.to = "The range must end after it starts.";
    const stale = Number.parseInt(minutes, 10);
    if (!Number.isInteger(stale) || stale < 1) next.minutes = "At least 1 minute.";
    if (reason.trim().length < 3) next.reason = "Say why (at least 3 characters): it is kept in the audit log.";
    setErrors(next);
    setError(null);
    if (Object.values(next).some(Boolean) || !start || !end) return;
    try {
      const r = await backfill.mutateAsync({ from: start, to: new Date(end.getTime() + 1), staleAfterMinutes: stale, reason: reason.trim() });
      toast.success(`Re-drove ${r.redriven} stuck order${r.redriven === 1 ? "" : "s"}.`);
      await queryClient.invalidateQueries({ queryKey: trpc.admin.orders.search.queryKey() });
      setOpen(false);
      setReason("");
    } catch (err) {
      const fields = (err as { data?: { fieldErrors?: Record<string, string[]> } }).data?.fieldErrors;
      if (fields && Object.keys(fields).length) setErrors({ from: fields.from?.[0], to: fields.to?.[0], reason: fields.reason?.[0] });
      else setError(err instanceof Error ? err.message : "The backfill failed.");
    }
  }

  const input = (name: string, label: string, props: React.InputHTMLAttributes<HTMLInputElement>, hint?: string) => (
    <Field id={`${id}-${name}`} label={label} error={errors[name]} hint={hint}>
      <input id={`${id}-${name}`} className={inputClasses(!!errors[name])} {...props} {...describedBy(`${id}-${name}`, { error: errors[name], hint })} />
    </Field>
  );

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="secondary">
          <History aria-hidden className="size-4" /> Backfill by date range
        </Button>
      </DialogTrigger>
      <DialogContent
        title="Re-drive stuck orders"
        description="Orders created in the range and left pending or processing for longer than the time below are sent to the order engine again (a batch's order re-drives its batch). Orders whose run is still going are left alone. The vendor is asked under the same request ids: nothing is bought twice and no money moves."
      >
        <form noValidate onSubmit={submit} className="space-y-3">
          <div className="grid gap-3 sm:grid-cols-2">
            {input("from", "Created from", { type: "date", value: from, onChange: (e) => setFrom(e.target.value) })}
            {input("to", "Created to", { type: "date", value: to, onChange: (e) => setTo(e.target.value) })}
          </div>
          {input(
            "minutes",
            "Stuck for at least (minutes)",
            { type: "number", min: 1, inputMode: "numeric", value: minutes, onChange: (e) => setMinutes(e.target.value) },
            "The scheduled backfill uses 30.",
          )}
          <Field id={`${id}-reason`} label="Reason" error={errors.reason}>
            <textarea
              id={`${id}-reason`}
              rows={2}
              className={inputClasses(!!errors.reason)}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              {...describedBy(`${id}-reason`, { error: errors.reason })}
            />
          </Field>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)} disabled={backfill.isPending}>
              Cancel
            </Button>
            <Button type="submit" disabled={backfill.isPending}>
              {backfill.isPending ? "Working…" : "Re-drive stuck orders"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
