"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../../environment-context";

/** One sub-agent as its agent sees it: limits and its orders (no card codes: they stay with the shop). */
export function SubAgentDetail({ subAgentId }: { subAgentId: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const node = useQuery(trpc.agency.get.queryOptions({ subAgentId }));
  const list = useQuery(trpc.agency.orders.queryOptions({ subAgentId, environment, after, limit: 25 }));

  if (node.error) return <ErrorState message={node.error.message} />;
  if (!node.data) return <Skeleton className="h-40" />;
  return (
    <div>
      <p className="text-sm">
        <Link href="/dashboard/agency" className="text-brand-700 hover:underline">
          ← Agency
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold">{node.data.businessName}</h1>
      <p className="mt-1 text-sm text-slate-600">
        Sub-agent · {node.data.status}
        {node.data.limits.map((l) => (
          <span key={l.currency}>
            {" "}
            · {l.currency} limits: per order {l.perOrderCap ? money(l.perOrderCap, l.currency, locale) : "none"}, per day{" "}
            {l.dailyCap ? money(l.dailyCap, l.currency, locale) : "none"}
          </span>
        ))}
      </p>
      <h2 className="mt-8 text-lg font-semibold">Orders in {environment}</h2>
      <p className="text-xs text-slate-600">Card codes are never shown here: only the shop sees them, on its receipt.</p>
      <div className="mt-3 overflow-hidden rounded-lg border border-slate-200 bg-white">
        {list.error ? (
          <ErrorState message={list.error.message} onRetry={() => list.refetch()} />
        ) : !list.data ? (
          <Skeleton className="m-4 h-32" />
        ) : list.data.data.length === 0 ? (
          <EmptyState title={`No ${environment} orders yet`} />
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
          <section className="overflow-x-auto" aria-label="Sub-agent orders table" tabIndex={0}>
            <table className="w-full text-sm">
              <caption className="sr-only">Orders of {node.data.businessName}</caption>
              <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Created
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Product
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Face value
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Cost
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Card codes
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {list.data.data.map((o) => (
                  <tr key={o.id}>
                    <td className="px-4 py-2 text-xs whitespace-nowrap">{dateTime(o.createdAt, locale)}</td>
                    <td className="px-4 py-2 font-mono text-xs">{o.sku}</td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {o.quantity} × {money(o.faceValue, o.faceCurrency, locale)}
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">{money(o.totalPrice, o.currency, locale)}</td>
                    <td className="px-4 py-2">
                      <StatusBadge status={o.status} />
                    </td>
                    <td className="px-4 py-2 font-mono text-xs text-slate-600">••••-••••</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </div>
      <div className="mt-3 flex gap-2">
        <Button variant="secondary" size="sm" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer orders
        </Button>
        <Button
          variant="secondary"
          size="sm"
          disabled={!list.data?.nextCursor}
          onClick={() => list.data?.nextCursor && setCursors((c) => [...c, list.data!.nextCursor!])}
        >
          Older orders
        </Button>
      </div>
    </div>
  );
}
