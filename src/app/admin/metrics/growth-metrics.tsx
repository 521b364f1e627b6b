"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Button } from "@/components/ui/button";
import { BarSeriesChart } from "@/components/ui/chart";
import { inputClasses } from "@/components/ui/field";
import { count, day, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { metricsRangeFromParams } from "@/lib/schemas/metrics";
import { type RouterOutputs, useTRPC } from "@/trpc/react";

type Growth = RouterOutputs["admin"]["metrics"]["growth"];
type Range = ReturnType<typeof metricsRangeFromParams>;

/** The range: dates applied together on submit; granularity and environment at once. */
function RangeForm({ range, apply }: { range: Range; apply: (patch: Record<string, string>) => void }) {
  const id = useId();
  return (
    <div className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
      <form
        key={`${range.from}-${range.to}`}
        aria-label="Date range"
        className="contents"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          apply({ from: String(f.get("from") ?? ""), to: String(f.get("to") ?? "") });
        }}
      >
        <div className="text-sm">
          <label htmlFor={`${id}-from`} className="block font-medium text-slate-800">
            From
          </label>
          <input id={`${id}-from`} type="date" name="from" defaultValue={range.from} className={`${inputClasses()} mt-1 w-40`} />
        </div>
        <div className="text-sm">
          <label htmlFor={`${id}-to`} className="block font-medium text-slate-800">
            To
          </label>
          <input id={`${id}-to`} type="date" name="to" defaultValue={range.to} className={`${inputClasses()} mt-1 w-40`} />
        </div>
        <Button type="submit" variant="secondary">
          Show range
        </Button>
      </form>
      <div className="text-sm">
        <span className="block font-medium text-slate-800">Granularity</span>
        <Select
          id={`${id}-granularity`}
          label="Granularity"
          className="mt-1 w-32"
          value={range.granularity}
          onValueChange={(granularity) => apply({ granularity })}
          options={[
            { value: "day", label: "By day" },
            { value: "week", label: "By week" },
          ]}
        />
      </div>
      <div className="text-sm">
        <span className="block font-medium text-slate-800">Environment</span>
        <Select
          id={`${id}-environment`}
          label="Environment"
          className="mt-1 w-40"
          value={range.environment}
          onValueChange={(environment) => apply({ environment })}
          options={[
            { value: "all", label: "Both" },
            { value: "live", label: "Live" },
            { value: "sandbox", label: "Sandbox" },
          ]}
        />
      </div>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold text-slate-900 tabular-nums">{value}</dd>
    </div>
  );
}

function ChartCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
      <div className="mt-3">{children}</div>
    </section>
  );
}

/** Platform revenue (margin) and sales per currency and environment: one chart each, amounts shown from their decimal strings. */
function MoneyCharts({ data, granularity }: { data: Growth; granularity: string }) {
  const locale = useLocale();
  const per = granularity === "week" ? "week" : "day";
  if (data.moneyTotals.length === 0) return <p className="text-sm text-slate-600">No order money moved in this range.</p>;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {data.moneyTotals.map((t) => {
        const rows = data.money
          .filter((m) => m.currency === t.currency && m.environment === t.environment)
          .map((m) => ({ bucket: m.bucket, marginValue: Number(m.margin), margin: m.margin, salesValue: Number(m.sales), sales: m.sales }));
        return (
          <ChartCard key={`${t.environment}-${t.currency}`} title={`Platform revenue (margin) per ${per}, ${t.environment} ${t.currency}`}>
            <p className="text-sm text-slate-700">
              Margin <strong className="tabular-nums">{money(t.margin, t.currency, locale)}</strong> on {count(t.ordersWithMargin, locale)} orders · sales{" "}
              <strong className="tabular-nums">{money(t.sales, t.currency, locale)}</strong>
            </p>
            <BarSeriesChart
              data={rows}
              x="bucket"
              y="marginValue"
              label={`Margin per ${per}, ${t.environment} ${t.currency}`}
              formatX={(d) => day(d, locale)}
              formatValue={(r) => money(r.margin, t.currency, locale)}
            />
          </ChartCard>
        );
      })}
    </div>
  );
}

function Funnel({ steps }: { steps: Growth["funnel"] }) {
  const locale = useLocale();
  const top = Math.max(1, ...steps.map((s) => s.ofCohort));
  return (
    <table className="w-full text-sm">
      <caption className="sr-only">Activation funnel: partners per milestone</caption>
      <thead className="text-left text-xs tracking-wider text-slate-600 uppercase">
        <tr>
          <th scope="col" className="py-2 font-medium">
            Milestone
          </th>
          <th scope="col" className="py-2 text-right font-medium">
            Reached in range
          </th>
          <th scope="col" className="py-2 pl-4 font-medium">
            Of partners who signed up in range
          </th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s) => (
          <tr key={s.milestone} className="border-t border-slate-100">
            <th scope="row" className="py-2 text-left font-normal text-slate-800">
              {s.label}
            </th>
            <td className="py-2 text-right tabular-nums">{count(s.reachedInPeriod, locale)}</td>
            <td className="py-2 pl-4">
              <div className="flex items-center gap-2">
                <div className="h-2 w-40 rounded bg-slate-100" aria-hidden>
                  <div className="h-2 rounded bg-brand-600" style={{ width: `${(s.ofCohort / top) * 100}%` }} />
                </div>
                <span className="tabular-nums">{count(s.ofCohort, locale)}</span>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The metrics page: range in the URL, totals, charts per series, the funnel, the numbers as a table. */
export function GrowthMetrics() {
  const trpc = useTRPC();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const range = metricsRangeFromParams(params);
  const growth = useQuery(trpc.admin.metrics.growth.queryOptions(range));
  const per = range.granularity === "week" ? "week" : "day";
  const d = growth.data;
  // Plain rows for the charts (their props take records).
  const series = d?.series.map((b) => ({ ...b })) ?? [];
  return (
    <div className="space-y-6">
      <RangeForm range={range} apply={setParams} />
      {growth.isLoading ? (
        <Skeleton className="h-64 w-full" />
      ) : growth.error ? (
        <ErrorState message={growth.error.message} onRetry={() => growth.refetch()} />
      ) : (
        d && (
          <>
            <dl className="grid grid-cols-2 gap-4 md:grid-cols-3 lg:grid-cols-6">
              <Stat label="Signups" value={count(d.totals.signups, locale)} />
              <Stat label="Active partners" value={count(d.totals.activePartners, locale)} />
              <Stat label="Orders" value={count(d.totals.orders, locale)} />
              <Stat label="Completed" value={count(d.totals.completed, locale)} />
              <Stat label="Failed" value={count(d.totals.failed, locale)} />
              <Stat label="Pending or processing" value={count(d.totals.pending + d.totals.processing, locale)} />
            </dl>
            <div className="grid gap-4 lg:grid-cols-3">
              <ChartCard title={`Signups per ${per}`}>
                <BarSeriesChart data={series} x="bucket" y="signups" label={`Signups per ${per}`} formatX={(v) => day(v, locale)} />
              </ChartCard>
              <ChartCard title={`Active partners per ${per}`}>
                <BarSeriesChart data={series} x="bucket" y="activePartners" label={`Active partners per ${per}`} formatX={(v) => day(v, locale)} />
              </ChartCard>
              <ChartCard title={`Orders per ${per}`}>
                <BarSeriesChart data={series} x="bucket" y="orders" label={`Orders per ${per}`} formatX={(v) => day(v, locale)} />
              </ChartCard>
            </div>
            <MoneyCharts data={d} granularity={range.granularity} />
            <ChartCard title="Activation funnel">
              <Funnel steps={d.funnel} />
            </ChartCard>
            <details className="rounded-lg border border-slate-200 bg-white p-4">
              <summary className="cursor-pointer text-sm font-semibold text-slate-900">The numbers per {per}</summary>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable) */}
              <section className="mt-3 overflow-x-auto" aria-label={`Numbers per ${per}`} tabIndex={0}>
                <table className="w-full text-sm">
                  <caption className="sr-only">Signups, active partners and orders by status per {per}</caption>
                  <thead className="text-left text-xs tracking-wider text-slate-600 uppercase">
                    <tr>
                      {["Starting", "Signups", "Active partners", "Orders", "Completed", "Failed", "Pending", "Processing"].map((h) => (
                        <th key={h} scope="col" className="px-2 py-2 font-medium">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.series.map((b) => (
                      <tr key={b.bucket} className="border-t border-slate-100 tabular-nums">
                        <th scope="row" className="px-2 py-1 text-left font-normal">
                          {b.bucket}
                        </th>
                        <td className="px-2 py-1">{b.signups}</td>
                        <td className="px-2 py-1">{b.activePartners}</td>
                        <td className="px-2 py-1">{b.orders}</td>
                        <td className="px-2 py-1">{b.completed}</td>
                        <td className="px-2 py-1">{b.failed}</td>
                        <td className="px-2 py-1">{b.pending}</td>
                        <td className="px-2 py-1">{b.processing}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            </details>
          </>
        )
      )}
    </div>
  );
}
