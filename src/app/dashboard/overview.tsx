"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangle } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { BarSeriesChart } from "@/components/ui/chart";
import { count, day, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "./environment-context";

/** The last `days` calendar days (UTC), oldest first, so a chart shows the days without orders too. */
function lastDays(days: number): string[] {
  const out: string[] = [];
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let i = days - 1; i >= 0; i--) out.push(new Date(today - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/** Balances, forecast and 30-day usage of the environment the switch shows. */
export function PartnerOverview() {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const overview = useQuery(trpc.dashboard.overview.queryOptions({ environment }));
  const envLabel = environment === "live" ? "Live" : "Sandbox";

  if (overview.error) return <ErrorState message={overview.error.message} onRetry={() => overview.refetch()} />;
  const data = overview.data;
  const usage = data?.usage;
  const series = usage ? lastDays(usage.days).map((d) => ({ day: d, orders: usage.byDay.filter((r) => r.day === d).reduce((n, r) => n + r.orders, 0) })) : [];

  return (
    <div className="space-y-8">
      <section aria-labelledby="wallets-h" className="max-w-5xl">
        <h2 id="wallets-h" className="text-sm font-semibold text-slate-900">
          {envLabel} wallets
        </h2>
        <div className="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {!data ? (
            <Skeleton className="h-36" />
          ) : data.wallets.length === 0 ? (
            <div className="rounded-lg border border-slate-200 bg-white sm:col-span-2">
              <EmptyState title={`No ${environment} funds yet`}>
                {environment === "live" ? "Live wallets appear with your first approved top-up." : "Sandbox funds are granted when the sandbox opens."}
              </EmptyState>
            </div>
          ) : (
            data.wallets.map((w) => (
              <div key={w.currency} className="rounded-lg border border-slate-200 bg-white p-5">
                <div className="flex items-center justify-between">
                  <p className="text-xs font-semibold tracking-wider text-slate-600 uppercase">{w.currency} wallet</p>
                  {w.forecast.low && (
                    <Badge tone="danger" data-testid={`low-balance-${w.currency}`}>
                      <AlertTriangle aria-hidden className="size-3" /> Low balance
                    </Badge>
                  )}
                </div>
                <p className="mt-2 text-2xl font-semibold tabular-nums" data-testid={`wallet-${environment}-${w.currency}`}>
                  {money(w.balance, w.currency, locale)}
                </p>
                <p className="mt-3 text-sm text-slate-700" data-testid={`forecast-${w.currency}`}>
                  {w.forecast.daysLeft === null
                    ? "No spend in the last 30 days, so no run-out date."
                    : w.forecast.daysLeft === 0
                      ? "At your last 30 days' pace, this wallet is out of funds today."
                      : `At your last 30 days' pace, this wallet runs out in ~${count(w.forecast.daysLeft, locale)} day${w.forecast.daysLeft === 1 ? "" : "s"}.`}
                </p>
                {w.forecast.suggestedTopUp !== "0.0000" && (
                  <p className="mt-1 text-sm text-slate-700">
                    Suggested top-up: <span className="font-medium tabular-nums">{money(w.forecast.suggestedTopUp, w.currency, locale)}</span>
                    <span className="text-slate-600"> (30 more days at this pace, above your {money(w.threshold, w.currency, locale)} alert level)</span>
                  </p>
                )}
              </div>
            ))
          )}
        </div>
      </section>

      <section aria-labelledby="usage-h" className="max-w-5xl rounded-lg border border-slate-200 bg-white p-5">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="usage-h" className="text-sm font-semibold text-slate-900">
            Last 30 days · {envLabel}
          </h2>
          {usage && (
            <p className="text-sm text-slate-700" data-testid="usage-totals">
              {count(usage.totals.orders, locale)} orders · {count(usage.totals.completed, locale)} completed · {count(usage.totals.failed, locale)} failed
              {usage.spend.map((s) => ` · ${money(s.spend, s.currency, locale)} spent`).join("")}
            </p>
          )}
        </div>
        {!usage ? (
          <Skeleton className="mt-4 h-56" />
        ) : usage.totals.orders === 0 ? (
          <EmptyState title={`No ${environment} orders in the last 30 days`}>
            <Link href="/dashboard/orders" className="font-medium text-brand-700 underline">
              See all orders
            </Link>
          </EmptyState>
        ) : (
          <Tabs defaultValue="orders" className="mt-4">
            <TabsList aria-label="Usage views">
              <TabsTrigger value="orders">Orders per day</TabsTrigger>
              <TabsTrigger value="products">Top products</TabsTrigger>
            </TabsList>
            <TabsContent value="orders" className="mt-4">
              <BarSeriesChart data={series} x="day" y="orders" label="Orders per day" formatX={(d) => day(d, locale)} />
            </TabsContent>
            <TabsContent value="products" className="mt-4">
              <table className="w-full text-sm">
                <caption className="sr-only">Top products in the last 30 days</caption>
                <thead className="text-left text-xs tracking-wider text-slate-600 uppercase">
                  <tr>
                    <th className="py-2">Product</th>
                    <th className="py-2 text-right">Orders</th>
                    <th className="py-2 text-right">Cards</th>
                    <th className="py-2 text-right">Spend</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {usage.topProducts.map((p) => (
                    <tr key={`${p.sku}-${p.currency}`}>
                      <td className="py-2 font-mono text-xs">{p.sku}</td>
                      <td className="py-2 text-right tabular-nums">{count(p.orders, locale)}</td>
                      <td className="py-2 text-right tabular-nums">{count(p.cards, locale)}</td>
                      <td className="py-2 text-right tabular-nums">{money(p.spend, p.currency, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TabsContent>
          </Tabs>
        )}
      </section>
    </div>
  );
}
