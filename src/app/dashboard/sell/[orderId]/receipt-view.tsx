"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { ArrowLeft, Printer } from "lucide-react";
import Link from "next/link";
import { useEffect } from "react";
import { StatusBadge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../../environment-context";
import { Receipt } from "../receipt";

/** One sale: followed until its order ends, then its receipt (the card's code, audited once per showing) with a Print button. */
export function ReceiptView({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const ref = { environment, orderId };
  const sale = useQuery(
    trpc.subagent.sale.queryOptions(ref, {
      retry: false,
      refetchInterval: (q) => (q.state.data && (q.state.data.status === "completed" || q.state.data.status === "failed") ? false : 1_000),
    }),
  );
  const receipt = useMutation(trpc.subagent.receipt.mutationOptions());
  const completed = sale.data?.status === "completed";
  const { mutate, isIdle } = receipt;
  useEffect(() => {
    if (completed && isIdle) mutate({ environment, orderId });
  }, [completed, isIdle, mutate, environment, orderId]);

  return (
    <div className="max-w-3xl space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3" data-print-hide>
        <Link href="/dashboard/sell" className="inline-flex items-center gap-1 text-sm font-medium text-brand-700 hover:text-brand-900">
          <ArrowLeft aria-hidden className="size-4" /> Sell a card
        </Link>
        {receipt.data && (
          <div className="flex gap-2">
            <ButtonLink href="/dashboard/sell" variant="secondary">
              Sell another card
            </ButtonLink>
            <Button onClick={() => window.print()}>
              <Printer aria-hidden className="size-4" /> Print receipt
            </Button>
          </div>
        )}
      </div>
      {sale.error ? (
        <ErrorState message={sale.error.data?.code === "NOT_FOUND" ? `No ${environment} sale ${orderId} of yours.` : sale.error.message} />
      ) : !sale.data ? (
        <Skeleton className="h-64" />
      ) : (
        <>
          <div>
            <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold">
              Sale of a {sale.data.brand} card <StatusBadge status={sale.data.status} />
            </h1>
            <p className="mt-1 text-sm text-slate-600">
              {money(sale.data.faceValue, sale.data.faceCurrency, locale)} card · price {money(sale.data.totalPrice, sale.data.currency, locale)} from your
              wallet
              {sale.data.customerEmail ? ` · receipt emailed to ${sale.data.customerEmail} when the card is ready` : ""}
            </p>
          </div>
          {sale.data.status === "failed" ? (
            <ErrorState
              message={`The card could not be bought${sale.data.failure?.message ? `: ${sale.data.failure.message}` : ""}. Its price was given back to your wallet; nothing is owed.`}
            />
          ) : !completed ? (
            <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-700" aria-live="polite" data-testid="sale-pending">
              Buying the card… the receipt shows here in a few seconds.
            </p>
          ) : receipt.error ? (
            <ErrorState message={receipt.error.message} onRetry={() => receipt.mutate(ref)} />
          ) : !receipt.data ? (
            <Skeleton className="h-64" />
          ) : (
            <Receipt receipt={receipt.data} locale={locale} />
          )}
        </>
      )}
    </div>
  );
}
