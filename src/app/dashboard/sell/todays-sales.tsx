"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { StatusBadge } from "@/components/ui/badge";
import { count, dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

/** The sub-agent's balance and today's sales (UTC day), each with its receipt. */
export function TodaysSales() {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const today = useQuery(trpc.subagent.today.queryOptions({ environment }, { refetchInterval: 10_000 }));
  if (today.error) return <ErrorState message={today.error.message} onRetry={() => today.refetch()} />;
  if (!today.data) return <Skeleton className="h-48" />;
  const { sales, totals, wallets } = today.data;
  return (
    <div className="space-y-6">
      <section aria-labelledby="balance-h" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="balance-h" className="text-sm font-semibold">
          Your balance
        </h2>
        {wallets.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No {environment} funds yet: your agent funds your wallet.</p>
        ) : (
          <ul className="mt-2 space-y-1">
            {wallets.map((w) => (
              <li key={w.currency} className="text-2xl font-semibold tabular-nums" data-testid={`balance-${w.currency}`}>
                {money(w.balance, w.currency, locale)}
              </li>
            ))}
          </ul>
        )}
        <Link href="/dashboard/wallet" className="mt-3 inline-block text-sm font-medium text-brand-700 underline">
          Statement and movements
        </Link>
      </section>

      <section aria-labelledby="today-h" className="rounded-lg border border-slate-200 bg-white">
        <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-100 px-5 py-4">
          <h2 id="today-h" className="text-sm font-semibold">
            Today's sales
          </h2>
          <p className="text-sm text-slate-700" data-testid="today-totals">
            {totals.length === 0 ? "None yet" : totals.map((t) => `${count(t.sales, locale)} sold · ${money(t.amount, t.currency, locale)}`).join(" · ")}
          </p>
        </div>
        {sales.length === 0 ? (
          <EmptyState title="No sales today">Sell a card with the form: it shows here with its receipt.</EmptyState>
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
          <section className="overflow-x-auto" tabIndex={0} aria-label="Today's sales">
            <table className="w-full text-sm">
              <caption className="sr-only">Today's sales</caption>
              <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="px-5 py-2 font-medium">
                    Time
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Card
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Value
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Price
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-5 py-2 font-medium">
                    <span className="sr-only">Receipt</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {sales.map((s) => (
                  <tr key={s.id} data-testid="today-sale">
                    <td className="px-5 py-2 whitespace-nowrap text-slate-700">{dateTime(s.createdAt, locale)}</td>
                    <td className="px-3 py-2">
                      {s.brand}
                      {s.customerEmail && <span className="block text-xs text-slate-600">{s.customerEmail}</span>}
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{money(s.faceValue, s.faceCurrency, locale)}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{money(s.totalPrice, s.currency, locale)}</td>
                    <td className="px-3 py-2">
                      <StatusBadge status={s.status} />
                    </td>
                    <td className="px-5 py-2 text-right">
                      <Link href={`/dashboard/sell/${s.id}`} className="font-medium text-brand-700 underline">
                        Receipt<span className="sr-only"> of {s.id}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>
    </div>
  );
}
