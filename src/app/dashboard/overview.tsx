"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "./environment-context";

const money = (amount: string, currency: string) => `${currency} ${amount.replace(/(\.\d\d)\d*$/, "$1")}`;

const STATUS_STYLE: Record<string, string> = {
  completed: "bg-emerald-50 text-emerald-700",
  failed: "bg-red-50 text-red-700",
  pending: "bg-slate-100 text-slate-700",
  processing: "bg-amber-50 text-amber-700",
};

/** Wallet balances of both environments and the latest orders of one. */
export function PartnerOverview() {
  const trpc = useTRPC();
  const { environment } = useEnvironment();
  const wallets = useQuery(trpc.partner.wallets.queryOptions());
  const orders = useQuery(trpc.partner.orders.queryOptions({ environment, limit: 10 }));
  return (
    <div className="space-y-8">
      <section aria-label="Wallets" className="grid max-w-3xl grid-cols-2 gap-4">
        {(["sandbox", "live"] as const).map((env) => (
          <div key={env} className="rounded-lg border border-slate-200 bg-white p-5">
            <p className="text-xs font-semibold uppercase tracking-wider text-slate-500">{env === "sandbox" ? "Sandbox wallet" : "Live wallet"}</p>
            {wallets.isLoading ? (
              <p className="mt-2 text-sm text-slate-500">Loading…</p>
            ) : wallets.data?.[env].length ? (
              wallets.data[env].map((w) => (
                <p key={w.currency} className="mt-2 text-2xl font-semibold tabular-nums" data-testid={`wallet-${env}-${w.currency}`}>
                  {money(w.balance, w.currency)}
                </p>
              ))
            ) : (
              <p className="mt-2 text-sm text-slate-500">{env === "live" ? "No live funds yet. Ask for a top-up." : "No sandbox funds."}</p>
            )}
          </div>
        ))}
      </section>

      <section aria-label="Recent orders" className="max-w-5xl rounded-lg border border-slate-200 bg-white">
        <div className="flex items-center justify-between border-b border-slate-100 px-4 py-3">
          <h2 className="text-sm font-semibold">Recent orders</h2>
        </div>
        {orders.isLoading ? (
          <p className="px-4 py-6 text-sm text-slate-500">Loading orders…</p>
        ) : orders.error ? (
          <p className="px-4 py-6 text-sm text-red-600">Could not load orders: {orders.error.message}</p>
        ) : !orders.data?.data.length ? (
          <p className="px-4 py-6 text-sm text-slate-500">No {environment} orders yet. Create one with POST /api/v1/orders.</p>
        ) : (
          <table className="w-full text-sm">
            <thead className="text-left text-xs uppercase tracking-wider text-slate-500">
              <tr>
                <th className="px-4 py-2">Order</th>
                <th className="px-4 py-2">Reference</th>
                <th className="px-4 py-2">Product</th>
                <th className="px-4 py-2 text-right">Cards</th>
                <th className="px-4 py-2 text-right">Total</th>
                <th className="px-4 py-2">Status</th>
                <th className="px-4 py-2">Created</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {orders.data.data.map((o) => (
                <tr key={o.id}>
                  <td className="px-4 py-2 font-mono text-xs">{o.id}</td>
                  <td className="px-4 py-2">{o.referenceId}</td>
                  <td className="px-4 py-2">
                    {o.sku} · {money(o.faceValue, o.faceCurrency)}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">
                    {o.cardsDelivered}/{o.quantity}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{money(o.totalPrice, o.currency)}</td>
                  <td className="px-4 py-2">
                    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[o.status] ?? ""}`}>{o.status}</span>
                  </td>
                  <td className="px-4 py-2 text-slate-600">{o.createdAt.slice(0, 16).replace("T", " ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
