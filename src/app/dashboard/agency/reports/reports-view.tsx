"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CsvButton, type FigureColumn, FigureTable, RangePicker, saveText, useReportRange } from "@/components/agency/report-parts";
import { Button } from "@/components/ui/button";
import { dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { useEnvironment } from "../../environment-context";

type Figures = RouterOutputs["agencyReports"]["agent"]["subAgents"][number];

const FIGURES: FigureColumn<Figures>[] = [
  { key: "opening", label: "Opening", value: (r) => r.opening, money: true },
  { key: "fundings", label: "Fundings", value: (r) => r.fundings, money: true },
  { key: "recalls", label: "Recalls", value: (r) => r.recalls, money: true },
  { key: "sales", label: "Sales", value: (r) => r.sales, money: true },
  { key: "refunds", label: "Refunds", value: (r) => r.refunds, money: true },
  { key: "other", label: "Other", value: (r) => r.other, money: true },
  { key: "closing", label: "Closing", value: (r) => r.closing, money: true },
  { key: "orders", label: "Orders", value: (r) => r.orders },
  { key: "cost", label: "Cost", value: (r) => r.cost, money: true },
  { key: "margin", label: "Margin", value: (r) => r.margin, money: true },
  { key: "commission", label: "Commission", value: (r) => r.commission, money: true },
];

/** An agent's report (each sub-agent, totals, its own accounts) or a sub-agent's own, for a date range; CSV; kept monthly statements. */
export function AgencyReportsView({ scope }: { scope: "agent" | "sub_agent" }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [range, setRange] = useReportRange();
  const input = { environment, ...range };
  const agent = useQuery(trpc.agencyReports.agent.queryOptions(input, { enabled: scope === "agent", retry: false }));
  const own = useQuery(trpc.subagent.report.queryOptions(input, { enabled: scope === "sub_agent", retry: false }));
  const queryClient = useQueryClient();
  const error = scope === "agent" ? agent.error : own.error;
  const csvName = `steller-${scope === "agent" ? "agent" : "sub-agent"}-report-${range.from}-${range.to}-${environment}.csv`;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <RangePicker key={`${range.from}|${range.to}`} range={range} onChange={setRange} />
        <CsvButton
          label="Download CSV"
          filename={csvName}
          fetchCsv={() =>
            scope === "agent"
              ? queryClient.fetchQuery(trpc.agencyReports.agentCsv.queryOptions(input))
              : queryClient.fetchQuery(trpc.subagent.reportCsv.queryOptions(input))
          }
        />
      </div>
      {error ? (
        <ErrorState message={error.message} />
      ) : scope === "agent" ? (
        !agent.data ? (
          <Skeleton className="h-48" />
        ) : (
          <>
            <section aria-labelledby="subs-h" className="space-y-3">
              <h2 id="subs-h" className="text-sm font-semibold">
                Sub-agents
              </h2>
              {agent.data.subAgents.length === 0 ? (
                <div className="rounded-lg border border-slate-200 bg-white">
                  <EmptyState title="No sub-agents yet">Create a sub-agent from the Agency page: its sales show here.</EmptyState>
                </div>
              ) : (
                <FigureTable
                  caption="Sub-agents' figures"
                  testId="agent-report"
                  locale={locale}
                  rowKey={(r) => `${r.partnerId}-${r.currency}`}
                  columns={[{ key: "name", label: "Sub-agent", value: (r) => r.name }, ...FIGURES]}
                  rows={agent.data.subAgents}
                  totals={agent.data.totals.map((t) => ({ ...t, partnerId: "", name: "" }))}
                />
              )}
            </section>
            <section aria-labelledby="own-h" className="space-y-3">
              <h2 id="own-h" className="text-sm font-semibold">
                Your wallet and commission
              </h2>
              {agent.data.agent.length === 0 ? (
                <p className="text-sm text-slate-600">No {environment} accounts yet.</p>
              ) : (
                <FigureTable
                  caption="Your wallet and commission account"
                  testId="agent-accounts"
                  locale={locale}
                  rowKey={(r) => r.currency}
                  columns={[
                    { key: "currency", label: "Currency", value: (r) => r.currency },
                    { key: "wo", label: "Wallet opening", value: (r) => r.walletOpening, money: true },
                    { key: "wc", label: "Wallet closing", value: (r) => r.walletClosing, money: true },
                    { key: "co", label: "Commission opening", value: (r) => r.commissionOpening, money: true },
                    { key: "ce", label: "Commission earned", value: (r) => r.commissionEarned, money: true },
                    { key: "cp", label: "Paid to wallet", value: (r) => r.commissionPaidOut, money: true },
                    { key: "cc", label: "Commission closing", value: (r) => r.commissionClosing, money: true },
                  ]}
                  rows={agent.data.agent}
                />
              )}
            </section>
          </>
        )
      ) : !own.data ? (
        <Skeleton className="h-32" />
      ) : own.data.figures.length === 0 ? (
        <div className="rounded-lg border border-slate-200 bg-white">
          <EmptyState title={`No ${environment} wallet yet`}>Your agent funds your wallet; your sales then show here.</EmptyState>
        </div>
      ) : (
        <FigureTable
          caption="Your sales and balance movements"
          testId="sub-agent-report"
          locale={locale}
          rowKey={(r) => r.currency}
          columns={[{ key: "currency", label: "Currency", value: (r) => r.currency }, ...FIGURES.filter((c) => c.key !== "commission")]}
          rows={own.data.figures}
        />
      )}
      <p className="text-xs text-slate-600">
        Every figure is summed from the ledger for the dates shown (UTC, both included). Cost is what of the net sales the vendor is owed (net sales − margin);
        the balance adds up: closing = opening + fundings − recalls − sales + refunds + other.
      </p>
      <Statements scope={scope} />
    </div>
  );
}

/** The kept monthly statements, each downloadable exactly as generated. */
function Statements({ scope }: { scope: "agent" | "sub_agent" }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const { environment } = useEnvironment();
  const procs = scope === "agent" ? trpc.agencyReports.agentStatements : trpc.agencyReports.subAgentStatements;
  const list = useQuery(procs.statements.queryOptions({ environment }, { retry: false }));
  return (
    <section aria-labelledby="statements-h" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="statements-h" className="text-sm font-semibold">
        Monthly statements
      </h2>
      <p className="mt-1 text-xs text-slate-600">Generated after each month ends and kept unchanged; the SHA-256 proves a copy is the original.</p>
      {list.error ? (
        <ErrorState message={list.error.message} />
      ) : !list.data ? (
        <Skeleton className="mt-3 h-16" />
      ) : list.data.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">No statement yet: the first one is generated after this month ends.</p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100">
          {list.data.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
              <span>
                <span className="font-medium">{s.period}</span>
                <span className="ml-2 text-xs text-slate-600">
                  generated {dateTime(s.generatedAt, locale)} · sha256 {s.sha256.slice(0, 12)}…
                </span>
              </span>
              <Button
                variant="secondary"
                size="sm"
                onClick={async () => {
                  const file = await queryClient.fetchQuery(procs.statement.queryOptions({ id: s.id }));
                  saveText(file.filename, file.csv);
                }}
              >
                Download {s.period}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
