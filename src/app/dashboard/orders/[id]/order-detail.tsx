"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { ArrowLeft, Eye } from "lucide-react";
import Link from "next/link";
import { OrderTimelineList } from "@/components/order-timeline";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { StatusBadge } from "@/components/ui/badge";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../../environment-context";

/** One order: summary, its timeline, and its cards on demand (audited). */
export function OrderDetail({ orderId, canReveal }: { orderId: string; canReveal: boolean }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const ref = { environment, orderId };
  const order = useQuery(trpc.dashboard.orders.get.queryOptions(ref, { retry: false }));
  const timeline = useQuery(trpc.dashboard.orders.timeline.queryOptions(ref, { retry: false }));
  const reveal = useMutation(trpc.dashboard.orders.revealCards.mutationOptions());

  return (
    <div className="max-w-4xl space-y-6">
      <Link href="/dashboard/orders" className="inline-flex items-center gap-1 text-sm font-medium text-brand-700 hover:text-brand-900">
        <ArrowLeft aria-hidden className="size-4" /> Orders
      </Link>
      {order.error ? (
        <ErrorState message={order.error.data?.code === "NOT_FOUND" ? `No ${environment} order ${orderId} in this workspace.` : order.error.message} />
      ) : !order.data ? (
        <Skeleton className="h-40" />
      ) : (
        <>
          <div>
            <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold">
              Order <span className="font-mono text-lg">{order.data.id}</span> <StatusBadge status={order.data.status} />
            </h1>
            <p className="mt-1 text-sm text-slate-600">Reference {order.data.referenceId}</p>
          </div>
          <dl className="grid grid-cols-2 gap-4 rounded-lg border border-slate-200 bg-white p-5 text-sm sm:grid-cols-4">
            <div>
              <dt className="text-slate-600">Product</dt>
              <dd className="mt-1 font-mono text-xs">{order.data.sku}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Face value</dt>
              <dd className="mt-1 tabular-nums">{money(order.data.faceValue, order.data.faceCurrency, locale)}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Cards</dt>
              <dd className="mt-1 tabular-nums">
                {order.data.cardsDelivered} of {order.data.quantity}
              </dd>
            </div>
            <div>
              <dt className="text-slate-600">Total</dt>
              <dd className="mt-1 tabular-nums" data-testid="order-total">
                {money(order.data.totalPrice, order.data.currency, locale)}
                {order.data.refundedAmount !== "0.0000" && order.data.refundedAmount !== "0" && (
                  <span className="block text-xs text-slate-600">refunded {money(order.data.refundedAmount, order.data.currency, locale)}</span>
                )}
              </dd>
            </div>
          </dl>

          <section aria-labelledby="cards-h" className="rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="cards-h" className="text-sm font-semibold">
              Cards
            </h2>
            {order.data.status !== "completed" ? (
              <p className="mt-2 text-sm text-slate-600">Cards appear when the order completes.</p>
            ) : !canReveal ? (
              <p className="mt-2 text-sm text-slate-600">Card codes are shown to owners and developers only.</p>
            ) : reveal.data ? (
              <ul className="mt-3 divide-y divide-slate-100" data-testid="revealed-cards">
                {reveal.data.map((c) => (
                  <li key={c.code} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
                    <span className="font-mono">{c.code}</span>
                    <span className="text-slate-600">{c.pin ? `PIN ${c.pin}` : "no PIN"}</span>
                    <CopyButton value={c.code} label="Copy code" />
                  </li>
                ))}
              </ul>
            ) : (
              <div className="mt-3">
                <ConfirmDialog
                  title="Reveal the card codes?"
                  consequence="The codes and PINs are shown on this screen, and the reveal is recorded in the audit log with your name. Anyone who sees a code can spend it."
                  confirmLabel="Reveal codes"
                  onConfirm={() => reveal.mutateAsync(ref)}
                  trigger={
                    <Button variant="secondary">
                      <Eye aria-hidden className="size-4" /> Reveal card codes
                    </Button>
                  }
                />
              </div>
            )}
          </section>
        </>
      )}

      <section aria-labelledby="timeline-h" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="timeline-h" className="text-sm font-semibold">
          Timeline
        </h2>
        {timeline.error ? (
          <ErrorState message={timeline.error.message} />
        ) : !timeline.data ? (
          <Skeleton className="mt-3 h-32" />
        ) : timeline.data.length === 0 ? (
          <EmptyState title="Nothing recorded yet" />
        ) : (
          <OrderTimelineList events={timeline.data} />
        )}
      </section>
    </div>
  );
}
