"use client";

import { useQuery } from "@tanstack/react-query";
import { Download } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useUrlParams } from "@/components/ui/url-state";
import { ENTRY_KIND_LABELS, statementRange } from "@/lib/schemas/dashboard-wallet";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 7)}-01`;

/**
 * A statement of whole days (both included), shown here and downloaded as CSV for exactly the same
 * range: the period lives in the URL (`sfrom`, `sto`, `scurrency`).
 */
export function StatementPanel({ currencies: known }: { currencies: string[] | undefined }) {
  const currencies = known ?? [];
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [params, setParams] = useUrlParams();
  const range = { currency: params.scurrency || currencies[0] || "USD", from: params.sfrom || monthStart(), to: params.sto || today() };
  const valid = statementRange.safeParse(range);
  const statement = useQuery({ ...trpc.wallet.statement.queryOptions({ environment, ...range }), enabled: valid.success && currencies.length > 0 });
  const s = statement.data;
  const csvHref = `/dashboard/wallet/statement.csv?${new URLSearchParams({ environment, ...range })}`;
  const [downloading, setDownloading] = useState(false);

  /** The CSV of exactly this range, from the same download as the API's; a refusal is a toast, not a file. */
  async function download() {
    setDownloading(true);
    try {
      const res = await fetch(csvHref, { credentials: "same-origin" });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `The download failed (${res.status}).`);
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "statement.csv";
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      toast.error(e instanceof Error ? e.message : "The download failed.");
    } finally {
      setDownloading(false);
    }
  }

  return (
    <div className="space-y-4">
      <form
        key={JSON.stringify(range)}
        aria-label="Statement period"
        className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          setParams({ sfrom: String(f.get("sfrom") ?? ""), sto: String(f.get("sto") ?? ""), after: params.after ?? "" });
        }}
      >
        {currencies.length > 1 && (
          <div className="text-sm">
            <span className="block font-medium text-slate-800">Statement currency</span>
            <Select
              id="statement-currency"
              label="Statement currency"
              className="mt-1 w-28"
              value={range.currency}
              onValueChange={(c) => setParams({ scurrency: c, after: params.after ?? "" })}
              options={currencies.map((c) => ({ value: c, label: c }))}
            />
          </div>
        )}
        <label className="block text-sm">
          <span className="font-medium text-slate-800">Statement from</span>
          <input type="date" name="sfrom" required defaultValue={range.from} className={`${inputClasses()} mt-1 w-40`} />
        </label>
        <label className="block text-sm">
          <span className="font-medium text-slate-800">Statement to</span>
          <input type="date" name="sto" required defaultValue={range.to} className={`${inputClasses()} mt-1 w-40`} />
        </label>
        <Button type="submit" variant="secondary">
          Show statement
        </Button>
        {valid.success && currencies.length > 0 && (
          <Button className="ml-auto" onClick={download} disabled={downloading}>
            <Download aria-hidden className="size-4" /> {downloading ? "Downloading…" : "Download CSV"}
          </Button>
        )}
      </form>

      {!valid.success ? (
        <p role="alert" className="text-sm text-red-700">
          {valid.error.issues[0]?.message}
        </p>
      ) : !known ? (
        <Skeleton className="h-48" />
      ) : currencies.length === 0 ? (
        <div className="rounded-lg border border-slate-200 bg-white">
          <EmptyState title="No wallet, no statement">A statement appears once the wallet has its first movement.</EmptyState>
        </div>
      ) : statement.error ? (
        <div className="rounded-lg border border-slate-200 bg-white">
          <ErrorState message={statement.error.message} onRetry={() => statement.refetch()} />
        </div>
      ) : !s ? (
        <Skeleton className="h-48" />
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white" data-testid="statement">
          <dl className="grid gap-4 border-b border-slate-100 p-4 text-sm sm:grid-cols-4">
            {[
              ["Opening balance", money(s.openingBalance, s.currency, locale), "statement-opening"],
              ["Credits", money(s.totalCredits, s.currency, locale), "statement-credits"],
              ["Debits", money(s.totalDebits, s.currency, locale), "statement-debits"],
              ["Closing balance", money(s.closingBalance, s.currency, locale), "statement-closing"],
            ].map(([k, v, id]) => (
              <div key={k}>
                <dt className="text-slate-600">{k}</dt>
                <dd className="mt-1 text-lg font-semibold tabular-nums" data-testid={id}>
                  {v}
                </dd>
              </div>
            ))}
          </dl>
          {s.lines.length === 0 ? (
            <EmptyState title="No movement in this period">The balance stayed at the opening balance.</EmptyState>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
            <section className="overflow-x-auto" aria-label="Statement lines" tabIndex={0}>
              <table className="w-full text-sm">
                <caption className="sr-only">
                  Statement lines from {s.from} to {s.to}
                </caption>
                <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
                  <tr>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Date
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Kind
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Reference
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Debit
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Credit
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Balance
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {s.lines.map((l) => {
                    const out = l.amount.startsWith("-");
                    return (
                      <tr key={l.id} data-testid="statement-line">
                        <td className="px-4 py-2 text-xs whitespace-nowrap text-slate-700">{dateTime(l.createdAt, locale)}</td>
                        <td className="px-4 py-2">{ENTRY_KIND_LABELS[l.kind as keyof typeof ENTRY_KIND_LABELS] ?? l.kind}</td>
                        <td className="px-4 py-2 font-mono text-xs">
                          {l.orderId ? (
                            <Link href={`/dashboard/orders/${l.orderId}`} className="text-brand-700 underline-offset-2 hover:underline">
                              {l.orderId}
                            </Link>
                          ) : (
                            (l.reference ?? "—")
                          )}
                        </td>
                        <td className="px-4 py-2 text-right tabular-nums">{out ? money(l.amount.slice(1), s.currency, locale) : ""}</td>
                        <td className="px-4 py-2 text-right tabular-nums">{out ? "" : money(l.amount, s.currency, locale)}</td>
                        <td className="px-4 py-2 text-right tabular-nums">{money(l.balanceAfter, s.currency, locale)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </section>
          )}
          {s.truncated && (
            <p className="border-t border-slate-100 px-4 py-3 text-sm text-slate-700">
              Showing the first {s.lines.length} of {s.entryCount} lines: the CSV has them all.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
