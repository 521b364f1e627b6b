"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Sheet } from "@/components/ui/dialog";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { entryKindLabel, WalletLedgerTable } from "@/components/wallet-ledger";
import { ledgerFiltersFromParams } from "@/lib/schemas/dashboard-wallet";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

const kindLabel = entryKindLabel;

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
  const { environment } = useEnvironment();
  const [params, setParams] = useUrlParams();
  const filters = ledgerFiltersFromParams(params);
  const currency = filters.currency ?? currencies[0] ?? "USD";
  const list = useQuery(trpc.wallet.transactions.queryOptions({ environment, ...filters, currency, after: params.after || undefined, limit: 25 }));

  return (
    <div className="space-y-4">
      <WalletLedgerTable
        currencies={currencies}
        currency={currency}
        list={list}
        caption={`${environment} ${currency} wallet entries`}
        empty={{ filtered: "No entry matches these filters.", unfiltered: `No movement in your ${environment} ${currency} wallet yet.` }}
        orderHref={(id) => `/dashboard/orders/${id}`}
        open={(row) => setParams({ entry: row.id, after: params.after ?? "" })}
      />
      <EntryDetail entryId={params.entry || null} onClose={() => setParams({ entry: "", after: params.after ?? "" })} />
    </div>
  );
}
