"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { CsvButton, FigureTable, RangePicker, useReportRange } from "@/components/agency/report-parts";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { type RouterOutputs, useTRPC } from "@/trpc/react";

type Row = RouterOutputs["agencyReports"]["network"]["agents"][number];

/** Network totals per agent and overall for a date range and environment; CSV; keeping last month's statements now. */
export function NetworkReport() {
  const trpc = useTRPC();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const [params, setParams] = useUrlParams();
  const environment = params.environment === "sandbox" ? "sandbox" : "live";
  const [range, setRange] = useReportRange();
  const input = { environment, ...range } as const;
  const report = useQuery(trpc.agencyReports.network.queryOptions(input, { retry: false }));
  const generate = useMutation(trpc.agencyReports.generateStatements.mutationOptions());

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="flex flex-wrap items-end gap-4">
          <div>
            <span className="block text-sm font-medium text-slate-800" id="network-env-label">
              Environment
            </span>
            <Select
              id="network-env"
              label="Environment"
              value={environment}
              onValueChange={(v) => setParams({ environment: v })}
              options={[
                { value: "live", label: "Live" },
                { value: "sandbox", label: "Sandbox" },
              ]}
              className="mt-1.5 w-32"
            />
          </div>
          <RangePicker key={`${range.from}|${range.to}`} range={range} onChange={setRange} />
        </div>
        <div className="flex flex-wrap gap-2">
          <CsvButton
            label="Download CSV"
            filename={`steller-network-report-${range.from}-${range.to}-${environment}.csv`}
            fetchCsv={() => queryClient.fetchQuery(trpc.agencyReports.networkCsv.queryOptions(input))}
          />
          <ConfirmDialog
            title="Keep last month's statements now?"
            consequence="Every agent's and sub-agent's statement of last month is generated and kept, as the monthly job does on the 1st. Statements already kept stay exactly as they are. Nothing moves money."
            confirmLabel="Keep statements"
            onConfirm={async () => {
              const r = await generate.mutateAsync();
              toast.success(`${r.period}: ${r.created} statement(s) kept, ${r.kept} already kept.`);
            }}
            trigger={<Button variant="secondary">Keep last month's statements</Button>}
          />
        </div>
      </div>
      {report.error ? (
        <ErrorState message={report.error.message} />
      ) : !report.data ? (
        <Skeleton className="h-48" />
      ) : report.data.agents.length === 0 ? (
        <div className="rounded-lg border border-slate-200 bg-white">
          <EmptyState title={`No ${environment} agency activity`}>Agents' sub-agents with {environment} wallets show here.</EmptyState>
        </div>
      ) : (
        <FigureTable<Row>
          caption="Network totals per agent"
          testId="network-report"
          locale={locale}
          rowKey={(r) => `${r.agentId}-${r.currency}`}
          columns={[
            { key: "agent", label: "Agent", value: (r) => r.agentName },
            { key: "subs", label: "Sub-agents", value: (r) => r.subAgentCount },
            { key: "fundings", label: "Fundings", value: (r) => r.fundings, money: true },
            { key: "recalls", label: "Recalls", value: (r) => r.recalls, money: true },
            { key: "sales", label: "Sales", value: (r) => r.sales, money: true },
            { key: "refunds", label: "Refunds", value: (r) => r.refunds, money: true },
            { key: "orders", label: "Orders", value: (r) => r.orders },
            { key: "cost", label: "Cost", value: (r) => r.cost, money: true },
            { key: "margin", label: "Margin", value: (r) => r.margin, money: true },
            { key: "commission", label: "Commission", value: (r) => r.commission, money: true },
            { key: "balance", label: "Sub-agents' balance", value: (r) => r.subAgentBalance, money: true },
          ]}
          rows={report.data.agents}
          totals={report.data.totals.map((t) => ({ ...t, agentId: "", agentName: "" }))}
        />
      )}
    </div>
  );
}
