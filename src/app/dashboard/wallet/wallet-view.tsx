"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useUrlParams } from "@/components/ui/url-state";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";
import { Ledger } from "./ledger";
import { StatementPanel } from "./statement";
import { Topups } from "./topups";

/** Balances for everyone; the ledger, statement and top-ups for the owner and finance. */
export function WalletView({ canSeeMoney }: { canSeeMoney: boolean }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const balances = useQuery(trpc.wallet.balances.queryOptions({ environment }));
  const currencies = balances.data?.wallets.map((w) => w.currency) ?? [];
  const [params, setParams] = useUrlParams();
  const tab = ["statement", "topups"].includes(params.tab ?? "") ? params.tab! : "ledger";

  return (
    <div className="space-y-10">
      <section aria-labelledby="balances-h" className="max-w-5xl">
        <h2 id="balances-h" className="text-lg font-semibold text-slate-900">
          Balances
        </h2>
        <div className="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {balances.error ? (
            <ErrorState className="sm:col-span-2" message={balances.error.message} onRetry={() => balances.refetch()} />
          ) : !balances.data ? (
            <Skeleton className="h-32" />
          ) : balances.data.wallets.length === 0 ? (
            <div className="rounded-lg border border-slate-200 bg-white sm:col-span-2">
              <EmptyState title={`No ${environment} wallet yet`}>
                {environment === "live" ? "Your live wallet appears with your first approved top-up." : "Sandbox funds are granted when the sandbox opens."}
              </EmptyState>
            </div>
          ) : (
            balances.data.wallets.map((w) => (
              <div key={w.currency} className="rounded-lg border border-slate-200 bg-white p-5" data-testid={`balance-${w.currency}`}>
                <div className="flex items-center justify-between">
                  <p className="text-xs font-semibold tracking-wider text-slate-600 uppercase">{w.currency} available</p>
                  {w.low && (
                    <Badge tone="danger" data-testid={`low-balance-${w.currency}`}>
                      <AlertTriangle aria-hidden className="size-3" /> Low balance
                    </Badge>
                  )}
                </div>
                <p className="mt-2 text-2xl font-semibold tabular-nums">{money(w.balance, w.currency, locale)}</p>
                <p className="mt-2 text-sm text-slate-700">
                  Pending top-ups: <span className="tabular-nums">{money(w.pendingTopups, w.currency, locale)}</span>
                </p>
                {w.low && (
                  <p className="mt-1 text-sm text-red-700">Below your alert level of {money(w.threshold, w.currency, locale)}: orders may soon be refused.</p>
                )}
              </div>
            ))
          )}
        </div>
      </section>

      {canSeeMoney ? (
        <Tabs value={tab} onValueChange={(t) => setParams({ tab: t === "ledger" ? "" : t, after: params.after ?? "" })}>
          <TabsList aria-label="Wallet views">
            <TabsTrigger value="ledger">Ledger</TabsTrigger>
            <TabsTrigger value="statement">Statement</TabsTrigger>
            <TabsTrigger value="topups">Top-up requests</TabsTrigger>
          </TabsList>
          <TabsContent value="ledger" className="mt-4">
            <h2 className="sr-only">Ledger</h2>
            <p className="text-sm text-slate-600">Every movement of the wallet, newest first. Filters stay in the address.</p>
            <div className="mt-3">
              <Ledger currencies={currencies} />
            </div>
          </TabsContent>
          <TabsContent value="statement" className="mt-4">
            <h2 className="sr-only">Statement</h2>
            <StatementPanel currencies={balances.data ? currencies : undefined} />
          </TabsContent>
          <TabsContent value="topups" className="mt-4">
            <h2 className="sr-only">Top-up requests</h2>
            <Topups currencies={currencies} />
          </TabsContent>
        </Tabs>
      ) : (
        <p role="status" className="max-w-3xl rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700" data-testid="wallet-role-note">
          The ledger, statements and top-up requests are available to the owner and finance roles, not to your role.
        </p>
      )}
    </div>
  );
}
