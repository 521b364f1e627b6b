import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { NetworkView } from "./network-view";

export const metadata: Metadata = { title: "Agency network" };

export default function AdminAgencyPage() {
  return (
    <div>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Agency network</h1>
          <p className="mt-1 text-sm text-slate-600">
            Agents and their sub-agents with wallet balances, commission and 30-day volume. Make a partner an agent, change its share, move a sub-agent, suspend
            a node (a suspended agent's sub-agents cannot sell).
          </p>
        </div>
        <Link href="/admin/agency/reports" className="text-sm font-medium text-brand-700 hover:underline">
          Network report
        </Link>
      </div>
      <div className="mt-6">
        <Suspense>
          <NetworkView />
        </Suspense>
      </div>
    </div>
  );
}
