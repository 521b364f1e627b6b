"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { toast } from "sonner";
import { OrderTimelineList } from "@/components/order-timeline";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { type RouterOutputs, useTRPC } from "@/trpc/react";

type Detail = RouterOutputs["admin"]["orders"]["detail"];

const TRANSFER_LABELS: Record<string, string> = {
  order_debit: "Paid from the partner's wallet",
  order_refund: "Refunded to the partner's wallet",
  order_revenue: "Margin recognised as platform revenue",
  order_revenue_reversal: "Margin taken back from platform revenue",
};

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-lg border border-slate-200 bg-white p-5">
      <h2 id={id} className="text-sm font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** One order for support: the actions (each confirmed with its effect on the money), summary, money, cards, vendor calls, timeline. */
export function AdminOrderSupport({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  // While the order is still with the vendor and nothing needs an admin, the page follows it (every 3 s).
  const detail = useQuery(
    trpc.admin.orders.detail.queryOptions(
      { orderId },
      {
        retry: false,
        refetchInterval: (q) => {
          const d = q.state.data;
          if (!d || (d.order.status !== "pending" && d.order.status !== "processing")) return false;
          return d.reconciliationIssues.some((i) => !i.resolvedAt) ? false : 3_000;
        },
      },
    ),
  );
  if (detail.error) {
    return (
      <div className="space-y-4">
        <BackLink />
        <ErrorState message={detail.error.message} onRetry={() => detail.refetch()} />
      </div>
    );
  }
  if (!detail.data) {
    return (
      <div className="space-y-4">
        <BackLink />
        <Skeleton className="h-64" />
      </div>
    );
  }
  const d = detail.data;
  const o = d.order;
  return (
    <div className="space-y-6">
      <BackLink />
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="font-mono text-xl font-semibold break-all">{o.id}</h1>
        <StatusBadge status={o.status} />
        <Badge tone={o.environment === "live" ? "success" : "neutral"}>{o.environment}</Badge>
        <CopyButton value={o.id} label="Copy order id" />
      </header>
      <p className="text-sm text-slate-600">
        <Link href={`/admin/orders?partner=${encodeURIComponent(o.partnerId)}`} className="font-medium text-brand-700 underline">
          {o.partnerName}
        </Link>{" "}
        · reference {o.referenceId} · {o.sku} · {money(o.faceValue, o.faceCurrency, locale)} × {o.quantity} · {money(o.totalPrice, o.currency, locale)}
      </p>

      <Actions detail={d} />

      <div className="grid gap-6 lg:grid-cols-2">
        <Section id="summary-h" title="Summary">
          <dl className="mt-3 space-y-2 text-sm">
            {(
              [
                ["Created", dateTime(o.createdAt, locale)],
                ["Placed", o.placedAt ? dateTime(o.placedAt, locale) : "not yet"],
                ["Finished", o.completedAt ? dateTime(o.completedAt, locale) : "not yet"],
                ["Cards", `${o.cardsDelivered} of ${o.quantity}`],
                ["Source", o.source],
                [
                  "Vendor request id",
                  d.batch ? `${d.batch.vendorRequestId} (batch ${d.batch.id}, ${d.batch.status}, ${d.batch.members} orders)` : o.vendorRequestId,
                ],
                ["Vendor status", o.vendorStatus ?? "none yet"],
                ["Polls", String(o.pollCount)],
                ["Failure", o.failure ? `${o.failure.code}: ${o.failure.message ?? ""}` : "none"],
              ] as const
            ).map(([k, v]) => (
              <div key={k} className="flex justify-between gap-4 border-b border-slate-100 pb-2">
                <dt className="shrink-0 text-slate-600">{k}</dt>
                <dd className="min-w-0 text-right break-all">{v}</dd>
              </div>
            ))}
          </dl>
          {d.reconciliationIssues.length > 0 && (
            <div className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
              <p className="font-medium">Needs attention</p>
              <ul className="mt-1 list-disc pl-5">
                {d.reconciliationIssues.map((i) => (
                  <li key={i.id}>
                    {i.kind.replace(/_/g, " ")}: {i.detail}
                    {i.resolvedAt ? " (resolved)" : ""}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </Section>

        <Section id="money-h" title="Money">
          {d.money.length === 0 ? (
            <EmptyState title="No money moved for this order" />
          ) : (
            <table className="mt-3 w-full text-sm">
              <caption className="sr-only">Ledger transfers of this order</caption>
              <thead>
                <tr className="border-b border-slate-200 text-left text-xs text-slate-600">
                  <th scope="col" className="py-1 font-medium">
                    Movement
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Amount
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    When
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.money.map((m) => (
                  <tr key={m.id} className="border-b border-slate-100">
                    <td className="py-2">
                      {TRANSFER_LABELS[m.kind] ?? m.kind}
                      <span className="block text-xs text-slate-600">
                        {m.debitKind.replace(/_/g, " ")} → {m.creditKind.replace(/_/g, " ")}
                      </span>
                    </td>
                    <td className="py-2 pl-3 text-right tabular-nums whitespace-nowrap">{money(m.amount, m.currency, locale)}</td>
                    <td className="py-2 pl-3 text-right text-xs whitespace-nowrap text-slate-600">{dateTime(m.createdAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>

      <Section id="cards-h" title="Cards">
        {d.cards.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No card delivered.</p>
        ) : (
          <ul className="mt-3 grid gap-2 text-sm sm:grid-cols-2">
            {d.cards.map((c) => (
              <li key={c.position} className="rounded border border-slate-200 px-3 py-2">
                Card {c.position + 1}: <span className="font-mono">{c.code}</span> · PIN <span className="font-mono">{c.pin}</span>
                <span className="block text-xs text-slate-600">
                  {money(c.faceValue, c.currency, locale)}
                  {c.serialNumber ? ` · serial ${c.serialNumber}` : ""}
                  {c.expiresAt ? ` · expires ${c.expiresAt}` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
        <p className="mt-2 text-xs text-slate-600">Codes and PINs are never shown here; the partner reveals them from its dashboard or the API.</p>
      </Section>

      <Section id="calls-h" title="Vendor calls">
        <p className="mt-1 text-xs text-slate-600">
          {d.batch ? `Calls made for this order's vendor batch ${d.batch.id} (they serve all its orders). ` : ""}Card codes and PINs are masked in the bodies.
        </p>
        {d.vendorCalls.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No call to the vendor yet.</p>
        ) : (
          <ol className="mt-3 space-y-2">
            {d.vendorCalls.map((c) => (
              <li key={c.id} className="rounded border border-slate-200">
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-2 px-3 py-2 text-sm">
                    <span className="font-medium">{c.kind.replace(/_/g, " ")}</span>
                    <span className="font-mono text-xs text-slate-700">
                      {c.method} {c.endpoint}
                    </span>
                    <Badge tone={c.status !== null && c.status < 400 ? "success" : "danger"}>{c.status ?? "no answer"}</Badge>
                    <span className="text-xs text-slate-600">
                      attempt {c.attempt} · {c.durationMs} ms · {dateTime(c.startedAt, locale)}
                      {c.errorKind ? ` · ${c.errorKind}` : ""}
                    </span>
                  </summary>
                  <div className="grid gap-2 border-t border-slate-200 p-3 text-xs md:grid-cols-2">
                    <Body label="Request" body={c.requestBody} />
                    <Body label="Response" body={c.error ? `${c.responseBody ?? ""}\n\n${c.error}`.trim() : c.responseBody} />
                  </div>
                </details>
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section id="timeline-h" title="Timeline">
        {d.timeline.length === 0 ? <EmptyState title="Nothing recorded yet" /> : <OrderTimelineList events={d.timeline} />}
      </Section>
    </div>
  );
}

function Body({ label, body }: { label: string; body: string | null }) {
  return (
    <div className="min-w-0">
      <p className="font-medium text-slate-700">{label}</p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable) */}
      <pre tabIndex={0} className="mt-1 max-h-60 overflow-auto rounded bg-slate-50 p-2 whitespace-pre-wrap break-all text-slate-800">
        {body ?? "(none)"}
      </pre>
    </div>
  );
}

function BackLink() {
  return (
    <Link href="/admin/orders" className="inline-flex items-center gap-1 text-sm text-brand-700 underline-offset-2 hover:underline">
      <ArrowLeft aria-hidden className="size-4" /> All orders
    </Link>
  );
}

/** The four actions, each behind a confirmation that says its effect on the money first; unavailable ones say why. */
function Actions({ detail }: { detail: Detail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const o = detail.order;
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.orders.detail.queryKey({ orderId: o.id }) });
  const repoll = useMutation(trpc.admin.orders.repoll.mutationOptions());
  const retry = useMutation(trpc.admin.orders.retryPlacement.mutationOptions());
  const refund = useMutation(trpc.admin.orders.refund.mutationOptions());
  const cancel = useMutation(trpc.admin.orders.cancel.mutationOptions());
  const a = detail.actions;
  const amount = `${o.totalPrice} ${o.currency}`;
  const items = [
    {
      key: "repoll",
      label: "Re-poll the vendor",
      title: "Re-poll the vendor now",
      confirm: "Re-poll now",
      optional: true,
      danger: false,
      state: a.repoll,
      run: (reason: string) => repoll.mutateAsync({ orderId: o.id, reason: reason || undefined }),
      done: "Poll requested: the order updates when the vendor answers.",
    },
    {
      key: "retry",
      label: "Retry placement",
      title: "Retry the placement",
      confirm: "Retry with the same request id",
      optional: true,
      danger: false,
      state: a.retry,
      run: (reason: string) => retry.mutateAsync({ orderId: o.id, reason: reason || undefined }),
      done: "Placement sent again under the same request id.",
    },
    {
      key: "refund",
      label: "Mark failed and refund",
      title: `Refund ${amount}?`,
      confirm: `Refund ${amount}`,
      optional: false,
      danger: true,
      state: a.refund,
      run: (reason: string) => refund.mutateAsync({ orderId: o.id, reason }),
      done: "Order refunded",
    },
    {
      key: "cancel",
      label: "Cancel order",
      title: "Cancel this order?",
      confirm: "Cancel and refund",
      optional: false,
      danger: true,
      state: a.cancel,
      run: (reason: string) => cancel.mutateAsync({ orderId: o.id, reason }),
      done: "Order cancelled and refunded",
    },
  ];
  return (
    <Section id="actions-h" title="Actions">
      <ul className="mt-3 grid gap-3 md:grid-cols-2">
        {items.map((it) => (
          <li key={it.key} className="flex flex-col gap-2 rounded-md border border-slate-200 p-3">
            <ReasonDialog
              trigger={
                <Button variant="secondary" className="self-start" disabled={!it.state.allowed} aria-describedby={`action-${it.key}-why`}>
                  {it.label}
                </Button>
              }
              title={it.title}
              consequence={it.state.why}
              reasonLabel={it.optional ? "Reason (optional)" : "Reason"}
              optional={it.optional}
              confirmLabel={it.confirm}
              danger={it.danger}
              onConfirm={async (reason) => {
                await it.run(reason);
                toast.success(it.done);
                await refresh();
              }}
            />
            <p id={`action-${it.key}-why`} className="text-xs text-slate-600">
              {it.state.allowed ? it.state.why : `Not available: ${it.state.why}`}
            </p>
          </li>
        ))}
      </ul>
    </Section>
  );
}
